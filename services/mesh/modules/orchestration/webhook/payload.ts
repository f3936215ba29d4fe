import { z } from "zod";
import type { Json } from "../cel.js";

/** A non-JSON body is delivered as `{"raw": text}`, its text cut at this many characters. */
export const MAX_RAW_CHARS = 64 * 1024;

/**
 * The payload a verified body delivers: its JSON, or (form posts, plain text, anything else) the
 * seed's `{"raw": "..."}` wrapper, capped at MAX_RAW_CHARS with `truncated: true` when cut.
 */
export function webhookPayload(body: Buffer): Json {
  if (body.length === 0) return null;
  const text = body.toString("utf8");
  try {
    return z.json().parse(JSON.parse(text)) as Json;
  } catch {
    return text.length > MAX_RAW_CHARS
      ? { raw: text.slice(0, MAX_RAW_CHARS), truncated: true }
      : { raw: text };
  }
}
