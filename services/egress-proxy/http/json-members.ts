/**
 * The top-level members of a JSON object body, found without parsing their values (issue 15: the LLM door
 * read `model`, `stream` and `max_tokens` by JSON.parse of the whole body, ≈ 2 ms of CPU per 1 MB prompt).
 * Strings are skipped with Buffer.indexOf (memchr), so a prompt costs a scan of its structural bytes only.
 *
 * The scan checks the shape a parser relies on for member boundaries (quotes, escapes, bracket nesting and
 * pairing, separators, nothing after the closing brace) and refuses duplicate names: a body whose members a
 * real parser would read differently (last duplicate wins) is refused rather than guessed. The content of the
 * values it skips is not validated; the provider refuses malformed JSON inside them.
 */
export type Members = Map<string, { start: number; end: number }>;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const isSpace = (c: number | undefined) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

export class JsonShapeError extends Error {}

const fail = (what: string, at: number): never => {
  throw new JsonShapeError(`${what} at byte ${at}`);
};

function skipSpace(buf: Buffer, i: number): number {
  while (i < buf.length && isSpace(buf[i])) i++;
  return i;
}

/** Index just past the string that opens at `i` (a quote). */
function endOfString(buf: Buffer, i: number): number {
  let from = i + 1;
  for (;;) {
    const q = buf.indexOf(QUOTE, from);
    if (q < 0) return fail("unterminated string", i);
    let slashes = 0;
    while (buf[q - 1 - slashes] === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return q + 1;
    from = q + 1;
  }
}

/** Index just past the value that starts at `i`. */
function endOfValue(buf: Buffer, i: number): number {
  const c = buf[i];
  if (c === QUOTE) return endOfString(buf, i);
  if (c === 0x7b || c === 0x5b) {
    const open: number[] = [];
    let j = i;
    while (j < buf.length) {
      const b = buf[j] as number;
      if (b === QUOTE) {
        j = endOfString(buf, j);
        continue;
      }
      if (b === 0x7b || b === 0x5b) open.push(b === 0x7b ? 0x7d : 0x5d);
      else if (b === 0x7d || b === 0x5d) {
        if (open.pop() !== b) return fail("mismatched bracket", j);
        if (open.length === 0) return j + 1;
      }
      j++;
    }
    return fail("unterminated value", i);
  }
  let j = i;
  while (j < buf.length && !isSpace(buf[j]) && buf[j] !== 0x2c && buf[j] !== 0x7d && buf[j] !== 0x5d) j++;
  if (j === i) fail("missing value", i);
  return j;
}

/** The members of the object `buf` holds, name → byte range of the value. Throws JsonShapeError. */
export function topLevelMembers(buf: Buffer): Members {
  const members: Members = new Map();
  let i = skipSpace(buf, 0);
  if (buf[i] !== 0x7b) fail("expected a JSON object", i);
  i = skipSpace(buf, i + 1);
  if (buf[i] === 0x7d) i++;
  else {
    for (;;) {
      if (buf[i] !== QUOTE) fail("expected a member name", i);
      const nameEnd = endOfString(buf, i);
      const name = JSON.parse(buf.toString("utf8", i, nameEnd)) as string;
      if (members.has(name)) fail(`duplicate member ${JSON.stringify(name.slice(0, 40))}`, i);
      i = skipSpace(buf, nameEnd);
      if (buf[i] !== 0x3a) fail("expected ':'", i);
      const start = skipSpace(buf, i + 1);
      const end = endOfValue(buf, start);
      members.set(name, { start, end });
      i = skipSpace(buf, end);
      if (buf[i] === 0x2c) {
        i = skipSpace(buf, i + 1);
        continue;
      }
      if (buf[i] === 0x7d) {
        i++;
        break;
      }
      fail("expected ',' or '}'", i);
    }
  }
  if (skipSpace(buf, i) !== buf.length) fail("unexpected data after the object", i);
  return members;
}

/** The members named in `wanted`, parsed; the others are present with the value undefined. */
export function pickMembers(
  buf: Buffer,
  members: Members,
  wanted: ReadonlySet<string>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, { start, end }] of members) {
    const value = wanted.has(name) ? JSON.parse(buf.toString("utf8", start, end)) : undefined;
    // defineProperty, as JSON.parse does: a member named __proto__ stays a plain member.
    Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}
