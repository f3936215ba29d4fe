import type { ModelMessage } from "ai";
import type { MemoryLog, MemoryService } from "../memory-service.js";
import { type CompactResult, compact, extractAndStore, type LlmComplete } from "./compactor.js";
import { type ContextAction, planContext, warningLine } from "./plan.js";
import { contextWindow, estimateMessages, estimateTokens, type ModelFamily, modelFamily } from "./tokens.js";

/** The runtime's transcript of one conversation (every message stays on disk; compaction only hides). */
export interface Transcript {
  count(): number;
  /** The last `n` messages, starting at a user message. */
  tail(n: number): ModelMessage[];
}

export interface ConversationMemoryOptions {
  memory: MemoryService;
  llm: LlmComplete;
  /** The agent's primary model id, for its window and token family. */
  model: string;
  /** Overrides the model's known window (tests, unknown models). */
  window?: number;
  log?: MemoryLog;
  /** Messages loaded into a request at most (older ones need a compaction to be represented). */
  maxLoad?: number;
}

export interface Prepared {
  history: ModelMessage[];
  /** Appended to the system prompt: compaction summary, first-request memory brief, 80 % warning. */
  systemSuffix: string;
  firstOfSession: boolean;
}

/**
 * Layer 5, the context manager, as the runtime's seam: `prepare` before a turn, `afterTurn` after it
 * (60 % flush, 70 % write-then-compact), `compactNow` when the provider says the context is too long.
 */
export class ConversationMemory {
  readonly window: number;
  readonly family: ModelFamily;
  readonly #o: ConversationMemoryOptions;

  constructor(o: ConversationMemoryOptions) {
    this.#o = o;
    this.window = o.window ?? contextWindow(o.model);
    this.family = modelFamily(o.model);
  }

  #state(conversation: string, transcript: Transcript) {
    const conv = this.#o.memory.conversations;
    let state = conv.get(conversation);
    const count = transcript.count();
    if (state.covered > count) {
      // The transcript was cleared behind our back (a reset): the summary belongs to another session.
      conv.clear(conversation);
      state = conv.get(conversation);
    }
    const live = count - state.covered;
    const messages = live > 0 ? transcript.tail(Math.min(live, this.#o.maxLoad ?? 400)) : [];
    return { state, count, messages };
  }

  async prepare(
    conversation: string,
    transcript: Transcript,
    prompt: string,
    signal: AbortSignal,
  ): Promise<Prepared> {
    const { state, messages } = this.#state(conversation, transcript);
    const parts: string[] = [];
    if (state.summary)
      parts.push(
        `## Summary of the earlier conversation (compacted)\n\n${state.summary}\n\n(The full transcript is kept on disk and facts from it were saved: use memory_search or memory_recall for details.)`,
      );
    const firstOfSession = messages.length === 0 && !state.summary;
    if (firstOfSession) {
      const brief = await this.#o.memory.sessionBrief(prompt, signal).catch(() => undefined);
      if (brief) parts.push(brief);
    }
    const used = estimateMessages(messages, this.family) + estimateTokens(prompt, this.family);
    const plan = planContext({ usedTokens: used, window: this.window, flushedAt: 0, covered: 0 });
    if (plan.warn) parts.push(warningLine(plan.ratio));
    return { history: messages, systemSuffix: parts.join("\n\n"), firstOfSession };
  }

  /**
   * After a turn was appended to the transcript: flush at 60 % (once per cycle), compact at 70 %.
   * `reportedInputTokens` (the provider's count for the last call) wins over the estimate when larger.
   */
  async afterTurn(
    conversation: string,
    transcript: Transcript,
    o: { system: string; reportedInputTokens?: number; signal: AbortSignal },
  ): Promise<{ action: ContextAction; ratio: number; factsSaved: number; compaction?: CompactResult }> {
    const { state, count, messages } = this.#state(conversation, transcript);
    const estimate = estimateTokens(o.system, this.family) + estimateMessages(messages, this.family);
    const used = Math.max(estimate, o.reportedInputTokens ?? 0);
    const plan = planContext({
      usedTokens: used,
      window: this.window,
      flushedAt: state.flushedAt,
      covered: state.covered,
    });
    const deps = { memory: this.#o.memory, llm: this.#o.llm, ...(this.#o.log ? { log: this.#o.log } : {}) };
    if (plan.action === "flush") {
      const factsSaved = await extractAndStore(deps, messages, "context_flush", o.signal);
      this.#o.memory.conversations.recordFlush(conversation, count, factsSaved);
      return { action: "flush", ratio: plan.ratio, factsSaved };
    }
    if (plan.action === "compact") {
      const compaction = await this.compactNow(conversation, transcript, o.signal);
      return {
        action: compaction ? "compact" : "none",
        ratio: plan.ratio,
        factsSaved: compaction?.factsSaved ?? 0,
        ...(compaction ? { compaction } : {}),
      };
    }
    return { action: "none", ratio: plan.ratio, factsSaved: 0 };
  }

  /** Write-then-compact now, whatever the usage (provider overflow). Undefined when nothing can be dropped. */
  async compactNow(
    conversation: string,
    transcript: Transcript,
    signal: AbortSignal,
  ): Promise<CompactResult | undefined> {
    const { state, count, messages } = this.#state(conversation, transcript);
    return compact(
      { memory: this.#o.memory, llm: this.#o.llm, ...(this.#o.log ? { log: this.#o.log } : {}) },
      { conversation, messages, transcriptLength: count, previousSummary: state.summary, signal },
    );
  }

  /** A conversation reset: the next turn starts a new session (brief, no summary). */
  reset(conversation: string): void {
    this.#o.memory.conversations.clear(conversation);
  }
}
