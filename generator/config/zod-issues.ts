import type { z } from "zod";
import { issueAt, type ParsedFile } from "./document.js";
import type { ConfigIssue } from "./errors.js";
import { knownKeysAt } from "./schema-walk.js";
import { didYouMean } from "./suggest.js";

type RawIssue = z.core.$ZodRawIssue;

const TYPE_WORDS: Record<string, string> = {
  object: "mapping",
  array: "list",
  int: "integer",
  record: "mapping",
};

/** `string "lots"`, `number 5`, `null (empty value)`; never more than ~40 characters of the value. */
export function describeValue(value: unknown, echo = true): string {
  if (value === null) return "null (empty value)";
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "list";
  if (typeof value === "object") return "mapping";
  if (!echo) return typeof value;
  const text = JSON.stringify(value) ?? String(value);
  return `${typeof value} ${text.length > 40 ? `${text.slice(0, 37)}…` : text}`;
}

function bound(value: number | bigint): string {
  return String(value);
}

function human(issue: RawIssue, echo: boolean): string | undefined {
  const got = echo && issue.input !== undefined ? `, got ${JSON.stringify(issue.input)}` : "";
  switch (issue.code) {
    case "invalid_type": {
      const expected = TYPE_WORDS[issue.expected] ?? issue.expected;
      if (issue.input === undefined) return `required (expected ${expected})`;
      return `expected ${expected}, got ${describeValue(issue.input, echo)}`;
    }
    case "too_small": {
      const min = bound(issue.minimum);
      if (issue.origin === "string")
        return Number(issue.minimum) <= 1 ? "must not be empty" : `must be at least ${min} characters`;
      if (issue.origin === "array" || issue.origin === "set")
        return `needs at least ${min} item${min === "1" ? "" : "s"}`;
      return `${issue.inclusive === false ? "must be greater than" : "must be at least"} ${min}${got}`;
    }
    case "too_big": {
      const max = bound(issue.maximum);
      if (issue.origin === "string") return `must be at most ${max} characters`;
      if (issue.origin === "array" || issue.origin === "set") return `allows at most ${max} items`;
      return `${issue.inclusive === false ? "must be less than" : "must be at most"} ${max}${got}`;
    }
    case "invalid_value": {
      const allowed = issue.values.map((v) => JSON.stringify(v)).join(", ");
      const hint = typeof issue.input === "string" ? didYouMean(issue.input, issue.values.map(String)) : "";
      return `expected one of ${allowed}${got}${hint}`;
    }
    case "invalid_format":
      if (issue.format === "regex" && issue.pattern) return `must match ${issue.pattern}${got}`;
      return `must be a valid ${issue.format}${got}`;
    case "not_multiple_of":
      return `must be a multiple of ${issue.divisor}${got}`;
    case "unrecognized_keys":
      return "unknown key";
    case "invalid_key":
      return `invalid key: ${issue.issues[0]?.message ?? "not allowed"}`;
    case "invalid_union": {
      const branches = issue.errors
        .map((branch) => branch[0]?.message)
        .filter((m): m is string => Boolean(m));
      return branches.length > 0
        ? `does not match any accepted form (${[...new Set(branches)].join("; or ")})`
        : undefined;
    }
    default:
      return undefined;
  }
}

/** A per-parse zod error map; messages given in the schemas (e.g. "cpu_limit must be…") still win. */
export function humanErrorMap(echo = true): (issue: RawIssue) => string | undefined {
  return (issue) => human(issue, echo);
}

/**
 * Maps zod issues onto the file: unknown keys point at the key (with "did you mean" from the
 * schema's known keys), invalid record keys at the key, everything else at the value node.
 */
export function mapZodIssues(
  parsed: ParsedFile,
  schema: z.core.$ZodType,
  issues: readonly z.core.$ZodIssue[],
): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") {
      const known = knownKeysAt(schema, issue.path);
      for (const key of issue.keys) {
        out.push(issueAt(parsed, [...issue.path, key], `unknown key${didYouMean(key, known)}`, "key"));
      }
    } else if (issue.code === "invalid_key") {
      out.push(issueAt(parsed, issue.path, issue.issues[0]?.message ?? issue.message, "key"));
    } else {
      out.push(issueAt(parsed, issue.path, issue.message));
    }
  }
  return out;
}

/** Parses `value` with `schema`; returns the data or the mapped issues. */
export function validateWith<S extends z.ZodType>(
  parsed: ParsedFile,
  schema: S,
  value: unknown,
  echo = true,
): { ok: true; data: z.output<S> } | { ok: false; issues: ConfigIssue[] } {
  const result = schema.safeParse(value, { error: humanErrorMap(echo) });
  if (result.success) return { ok: true, data: result.data };
  return { ok: false, issues: mapZodIssues(parsed, schema, result.error.issues) };
}
