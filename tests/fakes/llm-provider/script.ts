/**
 * FIFO queues of scripted answers, one per target. A chat request takes from its provider's queue first,
 * then from "*"; embeddings take only from "embeddings". When the queues are empty the sticky default
 * (provider's, then "*") answers; without one, the built-in default reply.
 */
import { checkTarget, parseAnswer } from "./answers.js";
import type { Answer, RecordedRequest, ScriptEntry, ScriptTarget } from "./types.js";

export const MAX_QUEUED = 10_000;

const TARGETS: readonly ScriptTarget[] = ["openai", "anthropic", "gemini", "embeddings", "*"];

export class ScriptQueue {
  readonly #queues = new Map<ScriptTarget, ScriptEntry[]>(TARGETS.map((t) => [t, []]));
  /** Sticky answers used, never consumed, when the queues are empty (benchmarks, latency for every call). */
  readonly #defaults = new Map<ScriptTarget, ScriptEntry>();

  setDefault(target: ScriptTarget, entry: ScriptEntry | undefined): void {
    if (!TARGETS.includes(target))
      throw new Error(`fake provider: unknown script target "${String(target)}"`);
    if (entry === undefined) {
      this.#defaults.delete(target);
      return;
    }
    if (typeof entry !== "function") checkTarget(target, parseAnswer(entry, "(default)"), "(default)");
    this.#defaults.set(target, entry);
  }

  /** Validate every answer first, so a bad script pushes nothing. */
  push(target: ScriptTarget, entries: readonly ScriptEntry[]): void {
    const queue = this.#queues.get(target);
    if (!queue) throw new Error(`fake provider: unknown script target "${String(target)}"`);
    if (queue.length + entries.length > MAX_QUEUED) {
      throw new Error(`fake provider: queue "${target}" would exceed ${MAX_QUEUED} answers`);
    }
    const checked = entries.map((entry, i) => {
      if (typeof entry === "function") return entry;
      const answer = parseAnswer(entry, `#${i}`);
      checkTarget(target, answer, `#${i}`);
      return answer;
    });
    queue.push(...checked);
  }

  /** Answers from JSON (control API, SCRIPT_FILE): each is parsed before anything is queued. */
  pushJson(target: ScriptTarget, values: readonly unknown[]): void {
    this.push(
      target,
      values.map((v, i) => parseAnswer(v, `#${i}`)),
    );
  }

  /**
   * Next answer for a request, or undefined for the default reply. Function entries are called with the
   * request and their result is validated like any other answer.
   */
  take(target: Exclude<ScriptTarget, "*">, request: RecordedRequest): Answer | undefined {
    const own = this.#queues.get(target) ?? [];
    const chat = target !== "embeddings";
    const queued = own.length > 0 ? own.shift() : chat ? this.#queues.get("*")?.shift() : undefined;
    const entry = queued ?? this.#defaults.get(target) ?? (chat ? this.#defaults.get("*") : undefined);
    if (entry === undefined) return undefined;
    if (typeof entry !== "function") return entry;
    const answer = parseAnswer(entry(request), `returned by a script function for request ${request.id}`);
    checkTarget(target, answer, `returned by a script function for request ${request.id}`);
    return answer;
  }

  pending(target?: ScriptTarget): number {
    if (target !== undefined) return this.#queues.get(target)?.length ?? 0;
    let total = 0;
    for (const queue of this.#queues.values()) total += queue.length;
    return total;
  }

  clear(): void {
    for (const queue of this.#queues.values()) queue.length = 0;
    this.#defaults.clear();
  }
}
