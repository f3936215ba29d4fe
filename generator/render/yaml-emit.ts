import { Document } from "yaml";

/*
 * A fast YAML emitter for the shapes a compose model has: block mappings and sequences of
 * printable-ASCII strings, finite numbers and booleans. It reproduces, byte for byte, what
 * serialize's reference path (the `yaml` package: version 1.1, lineWidth 0, indent 2, plus
 * serialize's quoting rules) prints, and it gives up (returns undefined) on anything it does not
 * reproduce provably: empty collections, non-ASCII or control characters, strings that would need
 * quotes and contain quotes or backslashes, document markers, long keys, exponent floats, `<<`.
 * serialize then falls back to the reference. Tests compare both paths on the golden fleets and on
 * generated data full of retype-prone strings (tests/unit/render/yaml-emit.test.ts).
 *
 * Why: the reference builds a node tree and visits it; at 500 agents (1 MB of YAML) that took
 * ~0.25 s, this takes ~0.02 s.
 */

/**
 * Plain scalars PyYAML (docker-compose v1) resolves to non-strings that the `yaml` package's
 * YAML 1.1 schema does not know: `=` (tag:yaml.org,2002:value, which SafeLoader cannot construct)
 * and `<<` (merge). Everything else YAML 1.1 retypes is quoted by `version: "1.1"` already.
 */
export const PYYAML_SPECIAL = new Set(["=", "<<"]);
/** Digits with separators: single-quoted by serialize so no reader sees base-60 or a number. */
export const NUMERIC_LOOKING = /^[-+]?[0-9][0-9_.:]*$/;

/** What the emitter handles: non-empty printable ASCII. */
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;
/** yaml's own rule (stringifyString.js plainString) for strings that cannot be plain scalars. */
const NOT_PLAIN = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;
/** A document marker at a line start: yaml reformats such strings (block or forced indent). */
const DOC_MARKER = /^(%|---|\.\.\.)/m;
/** yaml's limit for implicit keys; longer keys become explicit `? key`. */
const MAX_IMPLICIT_KEY = 1024;

/** The tests yaml's plainString runs: a plain string that one of these matches is read back as something else. */
const RETYPED: readonly RegExp[] = (() => {
  const schema = new Document(null, { version: "1.1" }).schema;
  const out: RegExp[] = [];
  for (const tag of [...schema.tags, ...(schema.compat ?? [])]) {
    if (!tag.default || tag.tag === "tag:yaml.org,2002:str") continue;
    if ("test" in tag && tag.test instanceof RegExp) out.push(tag.test);
  }
  return out;
})();

/** Signals "outside the supported subset" from deep inside the walk. */
class Unsupported extends Error {}

/**
 * A key or value string as yaml prints it (plain, or double-quoted when plain would retype it), or
 * null when the emitter does not handle it.
 */
function printString(s: string): string | null {
  // `<<` is the merge key: yaml prints it plain as a key and serialize tags it as a value.
  if (s === "<<" || !PRINTABLE_ASCII.test(s) || DOC_MARKER.test(s)) return null;
  if (NOT_PLAIN.test(s) || RETYPED.some((re) => re.test(s))) {
    // With no quote or backslash inside, yaml's double-quoted form is the JSON string verbatim.
    return /["'\\]/.test(s) ? null : `"${s}"`;
  }
  return s;
}

/** Printed strings of the current emit: a 500-agent file has ~40k strings but few distinct ones. */
let memo = new Map<string, string | null>();

function plainOrQuoted(s: string): string {
  let printed = memo.get(s);
  if (printed === undefined) {
    printed = printString(s);
    memo.set(s, printed);
  }
  if (printed === null) throw new Unsupported();
  return printed;
}

function key(k: string): string {
  if (k.length > MAX_IMPLICIT_KEY) throw new Unsupported();
  return plainOrQuoted(k);
}

function scalar(v: unknown): string {
  if (typeof v === "string") {
    if (v === "<<") throw new Unsupported();
    if (PYYAML_SPECIAL.has(v) || NUMERIC_LOOKING.test(v)) return `'${v}'`;
    return plainOrQuoted(v);
  }
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number") {
    const text = JSON.stringify(v);
    if (!Number.isFinite(v) || Object.is(v, -0) || /e/i.test(text)) throw new Unsupported();
    return text;
  }
  throw new Unsupported();
}

const isMap = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/** Lines of a non-empty mapping whose keys sit at `indent`; the first line starts with `first`. */
function emitMap(map: Record<string, unknown>, indent: string, first: string, out: string[]): void {
  const entries = Object.entries(map);
  if (entries.length === 0) throw new Unsupported();
  let lead = first;
  for (const [k, v] of entries) {
    const head = `${lead}${key(k)}:`;
    lead = indent;
    if (Array.isArray(v)) {
      out.push(head);
      emitSeq(v, `${indent}  `, out);
    } else if (isMap(v)) {
      out.push(head);
      emitMap(v, `${indent}  `, `${indent}  `, out);
    } else {
      out.push(`${head} ${scalar(v)}`);
    }
  }
}

/** Lines of a non-empty sequence whose dashes sit at `indent` (yaml's indentSeq: true). */
function emitSeq(seq: readonly unknown[], indent: string, out: string[]): void {
  if (seq.length === 0) throw new Unsupported();
  for (const item of seq) {
    if (Array.isArray(item)) throw new Unsupported();
    if (isMap(item)) emitMap(item, `${indent}  `, `${indent}- `, out);
    else out.push(`${indent}- ${scalar(item)}`);
  }
}

/**
 * The YAML text of normalized compose data (a non-empty mapping at the root), or undefined when
 * the data is outside what this emitter reproduces exactly.
 */
export function emitYaml(data: unknown): string | undefined {
  if (!isMap(data)) return undefined;
  const out: string[] = [];
  memo = new Map();
  try {
    emitMap(data, "", "", out);
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  } finally {
    memo = new Map();
  }
  return `${out.join("\n")}\n`;
}
