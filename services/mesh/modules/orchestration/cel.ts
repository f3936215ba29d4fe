import { celEnv, isCelError, isCelList, isCelMap, isCelUint, parse, plan } from "@bufbuild/cel";

/**
 * The only door to CEL (research/mesh.md §2): `@bufbuild/cel` is Beta, so nothing else imports it.
 * No `eval`, no `new Function`: CEL is interpreted. Evaluation never throws; it returns `{ error }`.
 * Bindings are normalized so JSON integers are CEL `int` (BigInt) and other numbers `double`;
 * results are converted back to JSON (ints → number).
 */
export const MAX_EXPRESSION_CHARS = 2048;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Compiled = (vars: Record<string, unknown>) => { value: Json } | { error: string };

const env = celEnv();
const cache = new Map<string, Compiled>();
const CACHE_MAX = 2000;

/** Parses once; returns the parse error message instead of throwing. */
export function compileExpr(source: string): Compiled | { parseError: string } {
  if (source.length > MAX_EXPRESSION_CHARS)
    return { parseError: `expression is ${source.length} characters; the limit is ${MAX_EXPRESSION_CHARS}` };
  const hit = cache.get(source);
  if (hit) return hit;
  let evaluate: ReturnType<typeof plan>;
  try {
    evaluate = plan(env, parse(source));
  } catch (error) {
    return { parseError: error instanceof Error ? error.message : String(error) };
  }
  const compiled: Compiled = (vars) => {
    const bound: Record<string, never> = {};
    for (const [k, v] of Object.entries(vars)) (bound as Record<string, unknown>)[k] = toCel(v);
    let out: unknown;
    try {
      out = evaluate(bound);
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) };
    }
    if (isCelError(out)) return { error: out.message };
    const json = fromCel(out);
    return json === undefined ? { error: "expression produced a value that is not JSON" } : { value: json };
  };
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(source, compiled);
  return compiled;
}

export function isParseError(c: Compiled | { parseError: string }): c is { parseError: string } {
  return typeof c !== "function";
}

/** Evaluates `source` against `vars`; a parse error is reported like an evaluation error. */
export function evalExpr(source: string, vars: Record<string, unknown>): { value: Json } | { error: string } {
  const c = compileExpr(source);
  return isParseError(c) ? { error: c.parseError } : c(vars);
}

/** JSON → CEL input: integers become BigInt; objects are copied as own enumerable properties only. */
export function toCel(value: unknown): unknown {
  if (typeof value === "number") return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(toCel);
  if (value !== null && typeof value === "object") {
    const out = new Map<string, unknown>();
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out.set(k, toCel(v));
    return out;
  }
  return value === undefined ? null : value;
}

/** CEL value → JSON; returns undefined for values JSON cannot hold (bytes, types, protos). */
export function fromCel(value: unknown): Json | undefined {
  if (value === null || typeof value === "boolean" || typeof value === "string") return value;
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (isCelUint(value)) return Number(value.value);
  if (isCelList(value)) {
    const out: Json[] = [];
    for (const item of value) {
      const j = fromCel(item);
      if (j === undefined) return undefined;
      out.push(j);
    }
    return out;
  }
  if (isCelMap(value)) {
    const out: Record<string, Json> = {};
    for (const [k, v] of value) {
      const j = fromCel(v);
      if (j === undefined) return undefined;
      Object.defineProperty(out, String(k), {
        value: j,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return undefined;
}

/** Identifiers an expression refers to at top level (for the "only upstream steps" load-time check). */
export function referencedRoots(source: string, candidates: Iterable<string>): string[] {
  const stripped = source.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""');
  const found: string[] = [];
  for (const id of candidates) {
    if (new RegExp(`(^|[^A-Za-z0-9_.])${id}(?![A-Za-z0-9_])`).test(stripped)) found.push(id);
  }
  return found;
}
