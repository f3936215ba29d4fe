/** Replies that mean "nothing to report" (the seed's suppress_empty list, plus HEARTBEAT_OK). */
const ACKS = new Set(["", "ok", "heartbeat_ok", "nothing to do", "no updates", "nothing to report"]);

/** Text after a leading HEARTBEAT_OK that still counts as an acknowledgement (research/mesh.md §4). */
export const ACK_SLACK_CHARS = 300;

/**
 * True when a scheduled or heartbeat reply has nothing to report: one of the seed's empty answers
 * (case, surrounding whitespace, markdown emphasis and a final full stop ignored), or HEARTBEAT_OK
 * followed by at most ACK_SLACK_CHARS characters of explanation.
 */
export function isNothingToReport(reply: string): boolean {
  const text = reply
    .trim()
    .replace(/^[*_`\s]+|[*_`\s]+$/g, "")
    .replace(/[.!]+$/, "")
    .toLowerCase();
  if (ACKS.has(text)) return true;
  return text.startsWith("heartbeat_ok") && text.length - "heartbeat_ok".length <= ACK_SLACK_CHARS;
}
