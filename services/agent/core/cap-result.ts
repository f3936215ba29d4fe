/**
 * Tool-result capping (research/agent.md §2.3): results enter the transcript at most `maxChars` long,
 * as head + tail with a marker; the caller spills the full text to a file and names it in the marker.
 * Pure: the spill itself is done by state/spill.ts.
 */
export const DEFAULT_RESULT_MAX_CHARS = 20_000;

export interface CapPlan {
  capped: boolean;
  /** The text to put in the transcript (without the pointer, which the caller appends). */
  head: string;
  tail: string;
  omittedChars: number;
  totalChars: number;
}

export function planCap(text: string, maxChars: number = DEFAULT_RESULT_MAX_CHARS): CapPlan {
  if (text.length <= maxChars)
    return { capped: false, head: text, tail: "", omittedChars: 0, totalChars: text.length };
  const budget = Math.max(0, maxChars - 400);
  const headLen = Math.floor(budget * 0.7);
  const tailLen = budget - headLen;
  return {
    capped: true,
    head: text.slice(0, headLen),
    tail: tailLen > 0 ? text.slice(text.length - tailLen) : "",
    omittedChars: text.length - headLen - tailLen,
    totalChars: text.length,
  };
}

/** Joins a plan into the transcript text; `pointer` is the data-root-relative path of the spilled file. */
export function renderCapped(plan: CapPlan, pointer: string | undefined): string {
  if (!plan.capped) return plan.head;
  const where =
    pointer === undefined
      ? "the full result could not be saved"
      : `the full result is saved at ${pointer}; read parts of it with read_file (offset, limit)`;
  return `${plan.head}\n\n[… ${plan.omittedChars} of ${plan.totalChars} characters omitted; ${where} …]\n\n${plan.tail}`;
}
