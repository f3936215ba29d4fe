import type { ModelMessage } from "ai";
import type { RunStatus } from "../loop/run.js";

const UNANSWERED: ReadonlySet<RunStatus> = new Set(["failed", "timeout", "cancelled"]);

/**
 * What of a chat turn goes into the conversation history (docs/decisions/reliability.md "Orphan user
 * turns are dropped"). A turn that ended without an answer (failed, timed out, cancelled) keeps only
 * its completed steps: trailing user messages that no model reply follows are dropped, so a call that
 * failed outright leaves no trace in the history. The caller got an error and re-sends; keeping the
 * message would put the same question twice in a row. The daily log still records the attempt.
 */
export function turnToPersist(status: RunStatus, added: readonly ModelMessage[]): ModelMessage[] {
  if (!UNANSWERED.has(status)) return [...added];
  let end = added.length;
  while (end > 0 && added[end - 1]?.role === "user") end--;
  return added.slice(0, end);
}
