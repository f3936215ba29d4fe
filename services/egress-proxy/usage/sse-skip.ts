import type { WireApi } from "./types.js";

/**
 * Byte-level prefilter for SSE chunks (runs before any decoding): a chunk that ends on an event boundary and
 * carries none of its format's markers cannot change the metered usage or the end-of-stream state, so the
 * meter forwards it without decoding or splitting it. False positives only cost the slow path; a marker is
 * never missed because each is part of the unescaped JSON structure (inside a JSON string its quotes would be
 * escaped, which breaks the match only in the direction of a false positive).
 */
const MARKERS: Record<WireApi, readonly Buffer[]> = {
  openai: [Buffer.from("[DONE]"), Buffer.from("response.")],
  "openai-compatible": [Buffer.from("[DONE]"), Buffer.from("response.")],
  anthropic: [Buffer.from('"message_')],
  gemini: [Buffer.from('"usageMetadata"'), Buffer.from('"finishReason"')],
};
const USAGE_KEY = Buffer.from('"usage"');

export function chunkMayMatter(api: WireApi, chunk: Buffer): boolean {
  for (const marker of MARKERS[api]) if (chunk.includes(marker)) return true;
  return (api === "openai" || api === "openai-compatible") && hasUsageObject(chunk);
}

/** True when the chunk ends exactly after a blank line (LF LF, CR LF CR LF or CR CR). */
export function endsAtEventBoundary(chunk: Buffer): boolean {
  const n = chunk.length;
  if (n < 2) return false;
  const a = chunk[n - 2];
  const b = chunk[n - 1];
  return (
    (a === 0x0a && b === 0x0a) ||
    (a === 0x0d && b === 0x0d) ||
    (b === 0x0a && a === 0x0d && chunk[n - 3] === 0x0a)
  );
}

/** `"usage"` followed by optional whitespace, `:`, optional whitespace and `{` (not `null`). */
function hasUsageObject(chunk: Buffer): boolean {
  let at = chunk.indexOf(USAGE_KEY);
  while (at >= 0) {
    let i = at + USAGE_KEY.length;
    while (isSpace(chunk[i])) i++;
    if (chunk[i] === 0x3a) {
      i++;
      while (isSpace(chunk[i])) i++;
      if (chunk[i] === 0x7b) return true;
    }
    at = chunk.indexOf(USAGE_KEY, at + 1);
  }
  return false;
}

const isSpace = (c: number | undefined): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
