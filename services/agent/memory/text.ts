import { MemoryErrors } from "./errors.js";

/**
 * Pure text helpers: input limits, normalisation, tokens, and the FTS5 query builder. User text never
 * reaches FTS5 as syntax: every token is letters/digits/underscore only and is double-quoted, so `"`,
 * `*`, `NEAR(`, `-`, `:`, `AND`/`OR` in a question are plain words or separators.
 */

/** A fact is one atomic statement; long material belongs in a workspace file the fact points at. */
export const MAX_FACT_BYTES = 4096;
export const MAX_QUERY_BYTES = 4096;
export const MAX_KEY_CHARS = 64;
/** FTS5 OR over more terms only adds latency; the rest of a long question still feeds the embedding. */
export const MAX_QUERY_TOKENS = 24;

const TOKEN = /[\p{L}\p{N}_]+/gu;
const KEY = /^[\p{L}\p{N} _\-./:]{1,64}$/u;
const CATEGORY = /^[a-z][a-z0-9_-]{0,31}$/;

/** Words too common to rank on; dropped from FTS queries unless nothing else is left. */
const STOP_WORDS = new Set(
  (
    "a an and are as at be been but by can could did do does for from had has have he her his how i if in into is it its " +
    "me my myself no not of on or our she so than that the their them then there these they this to too us was we were " +
    "what when where which who whom why will with would you your yours s t d ll m re ve called call named about"
  ).split(" "),
);

export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

function checkNul(what: string, text: string): void {
  if (text.includes("\u0000")) throw MemoryErrors.nulByte(what);
}

/** Fact text: no NUL, not empty, ≤ MAX_FACT_BYTES. Returns the trimmed text. */
export function validateFactText(text: string): string {
  checkNul("fact text", text);
  const bytes = utf8Bytes(text);
  if (bytes > MAX_FACT_BYTES)
    throw MemoryErrors.tooLarge(
      "fact text",
      bytes,
      MAX_FACT_BYTES,
      "Save one short statement per fact; put long material in a workspace file and save a fact that names the file.",
    );
  const trimmed = text.trim();
  if (!trimmed) throw MemoryErrors.empty("fact text");
  return trimmed;
}

export function validateQuery(query: string): string {
  checkNul("query", query);
  const bytes = utf8Bytes(query);
  if (bytes > MAX_QUERY_BYTES)
    throw MemoryErrors.tooLarge(
      "query",
      bytes,
      MAX_QUERY_BYTES,
      "Ask with a shorter question or a few keywords.",
    );
  return query.trim();
}

export function validateCategory(category: string): string {
  checkNul("category", category);
  const c = category.trim().toLowerCase().replace(/\s+/g, "_");
  if (!CATEGORY.test(c)) throw MemoryErrors.badCategory(category);
  return c;
}

/** Keys are compared case- and space-insensitively: "User Cat Name" = "user cat name". */
export function validateKey(key: string): string {
  checkNul("key", key);
  const k = key.normalize("NFKC").trim().toLowerCase().replace(/\s+/g, " ");
  if (k.length > MAX_KEY_CHARS || !KEY.test(k)) throw MemoryErrors.badKey(key);
  return k;
}

/** Canonical form for exact-duplicate detection: NFKC, lower case, single spaces, no trailing punctuation. */
export function normalizeText(text: string): string {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/\s+/g, " ")
    .replace(/[\s.!?;,]+$/u, "")
    .trim();
}

/** Lower-case word tokens, as FTS5's unicode61 tokenizer splits them (apostrophes and hyphens separate). */
export function tokens(text: string): string[] {
  return text.normalize("NFKC").toLowerCase().match(TOKEN) ?? [];
}

/** Distinct tokens worth ranking on: stop words and single letters dropped (digits kept). */
export function contentTokens(text: string): string[] {
  const all = tokens(text);
  const kept = [...new Set(all.filter((t) => !STOP_WORDS.has(t) && (t.length > 1 || /\d/.test(t))))];
  return kept.length > 0 ? kept : [...new Set(all)];
}

/**
 * FTS5 MATCH expression for user text: distinct content tokens, each double-quoted, OR-joined, at most
 * MAX_QUERY_TOKENS. Undefined when the text has no word at all (then FTS is skipped).
 */
export function ftsQuery(text: string): string | undefined {
  const list = contentTokens(text).slice(0, MAX_QUERY_TOKENS);
  if (list.length === 0) return undefined;
  return list.map((t) => `"${t}"`).join(" OR ");
}

/** Jaccard similarity of two token sets (content tokens). */
export function jaccard(a: readonly string[], b: readonly string[]): number {
  const sa = new Set(a);
  const sb = new Set(b);
  let inter = 0;
  for (const t of sa) if (sb.has(t)) inter++;
  const union = sa.size + sb.size - inter;
  return union === 0 ? 0 : inter / union;
}

/** First `max` characters with an ellipsis, for log lines and previews. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
