import type { ModelMessage } from "ai";
import { AgentErrors } from "../../errors.js";

/** The seed's thresholds (ARCHITECTURE.md §11): flush at 60 %, compact at 70 %, warn at 80 %. */
export const THRESHOLDS = { flush: 0.6, compact: 0.7, warn: 0.8 } as const;
/** Compaction keeps the summary plus the last 4 messages (more when a tool exchange would be split). */
export const KEEP_LAST = 4;

export type ContextAction = "none" | "flush" | "compact";

export interface PlanInput {
  usedTokens: number;
  window: number;
  /** Transcript length at the last flush (-1 never) and messages covered by the last compaction. */
  flushedAt: number;
  covered: number;
}

export interface ContextPlan {
  action: ContextAction;
  /** ≥ 80 %: a warning line goes into the context. */
  warn: boolean;
  ratio: number;
}

/** Pure: what the context manager does after a turn. The flush runs once per compaction cycle. */
export function planContext(i: PlanInput): ContextPlan {
  const ratio = i.window > 0 ? i.usedTokens / i.window : 1;
  const warn = ratio >= THRESHOLDS.warn;
  if (ratio >= THRESHOLDS.compact) return { action: "compact", warn, ratio };
  if (ratio >= THRESHOLDS.flush && i.flushedAt <= i.covered) return { action: "flush", warn, ratio };
  return { action: "none", warn, ratio };
}

export function warningLine(ratio: number): string {
  return `[context: ${Math.round(ratio * 100)}% of the model's window is in use; older messages will be compacted into a summary. Save anything important with memory_save now.]`;
}

/**
 * Pure: where compaction cuts. The kept tail holds at least `keep` messages and starts at a user message,
 * so no tool result is separated from the assistant message that called it. Nothing to drop → dropped = [].
 */
export function splitForCompaction(
  messages: readonly ModelMessage[],
  keep: number = KEEP_LAST,
): { dropped: ModelMessage[]; kept: ModelMessage[] } {
  let cut = Math.max(0, messages.length - keep);
  while (cut > 0 && messages[cut]?.role !== "user") cut--;
  return { dropped: messages.slice(0, cut), kept: messages.slice(cut) };
}

/** The run failed because the model's context window was exceeded (the proxy said so with its code). */
export function isContextOverflow(error: { code?: string; message?: string } | undefined): boolean {
  return error?.code === AgentErrors.contextOverflow.code;
}
