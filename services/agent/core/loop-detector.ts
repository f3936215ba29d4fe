import { canonicalJson } from "../../common/canonical-json.js";

/**
 * Repetition guard (ARCHITECTURE.md §8): identical = same tool name and canonical JSON arguments,
 * counted over the whole run. The 3rd identical call runs with a warning attached, the 5th to 9th are
 * not executed (the model gets a "blocked" result), the 10th ends the run.
 */
export interface LoopThresholds {
  warn: number;
  block: number;
  terminate: number;
}

export const DEFAULT_LOOP_THRESHOLDS: LoopThresholds = { warn: 3, block: 5, terminate: 10 };

/**
 * Tools whose identical repeat is legitimate: searching memory again with the same words after new
 * facts were saved can give a different answer, so it is never warned or blocked (as in the seed).
 */
export const LOOP_EXEMPT_TOOLS: ReadonlySet<string> = new Set(["memory_search"]);

export type LoopVerdict =
  | { action: "run"; count: number }
  | { action: "warn"; count: number; message: string }
  | { action: "block"; count: number; message: string }
  | { action: "terminate"; count: number; message: string };

export class LoopDetector {
  readonly #counts = new Map<string, number>();
  readonly #thresholds: LoopThresholds;

  constructor(thresholds: LoopThresholds = DEFAULT_LOOP_THRESHOLDS) {
    this.#thresholds = thresholds;
  }

  /** Records one call and says what to do with it. */
  check(tool: string, args: unknown): LoopVerdict {
    if (LOOP_EXEMPT_TOOLS.has(tool)) return { action: "run", count: 0 };
    const key = `${tool}\u0000${canonicalJson(args)}`;
    const count = (this.#counts.get(key) ?? 0) + 1;
    this.#counts.set(key, count);
    const t = this.#thresholds;
    if (count >= t.terminate) {
      return {
        action: "terminate",
        count,
        message: `${tool} called ${count} times with identical arguments; run ended`,
      };
    }
    if (count >= t.block) {
      return {
        action: "block",
        count,
        message: `blocked: ${tool} was already called ${count - 1} times with these exact arguments and was not run again. Change the arguments or the approach; at ${t.terminate} identical calls the run ends.`,
      };
    }
    if (count >= t.warn) {
      return {
        action: "warn",
        count,
        message: `warning: this is call ${count} of ${tool} with identical arguments. Repeating it will not give a different result; at ${t.block} identical calls it is blocked.`,
      };
    }
    return { action: "run", count };
  }

  /** Distinct call signatures seen (bounded by the run's call limit). */
  get size(): number {
    return this.#counts.size;
  }
}
