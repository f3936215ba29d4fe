import { join } from "node:path";
import type { z } from "zod";
import type { Loaded } from "./cross-check.js";
import { type ParsedFile, parseYamlText } from "./document.js";
import type { ConfigIssue } from "./errors.js";
import { jsonSyntaxError } from "./json-strict.js";
import { type ReadOutcome, readConfigText } from "./read.js";
import { yamlToData } from "./yaml-file.js";
import { validateWith } from "./zod-issues.js";

/** Where a file load ended: not there, broken (issues already recorded), or loaded. */
export type FileResult<T> =
  | { status: "missing" }
  | { status: "invalid"; partial?: { parsed: ParsedFile; raw: unknown } }
  | { status: "ok"; loaded: Loaded<T> };

/** Top-level `x-…` keys hold YAML anchors to reuse (as in Compose files); they are not config. */
export function dropExtensionKeys(value: unknown): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => !key.startsWith("x-")));
}

export type TextResult = { status: "missing" } | { status: "invalid" } | { status: "ok"; text: string };

async function read(root: string, file: string, issues: ConfigIssue[]): Promise<TextResult> {
  const outcome: ReadOutcome = await readConfigText(join(root, file), file);
  if (outcome.kind === "missing") return { status: "missing" };
  if (outcome.kind === "issue") {
    issues.push(outcome.issue);
    return { status: "invalid" };
  }
  return { status: "ok", text: outcome.text };
}

/** Reads, parses and validates one YAML config file. Every problem goes to `issues`. */
export async function loadYamlFile<S extends z.ZodType>(
  root: string,
  file: string,
  schema: S,
  issues: ConfigIssue[],
  extra?: (parsed: ParsedFile) => ConfigIssue[],
): Promise<FileResult<z.output<S>>> {
  const got = await read(root, file, issues);
  if (got.status !== "ok") return got;
  const outcome = yamlToData(file, got.text);
  issues.push(...outcome.keyIssues);
  if (!outcome.ok) {
    issues.push(...outcome.issues);
    return { status: "invalid" };
  }
  const extraIssues = extra?.(outcome.parsed) ?? [];
  issues.push(...extraIssues);
  const raw = dropExtensionKeys(outcome.value);
  const result = validateWith(outcome.parsed, schema, raw);
  if (!result.ok) issues.push(...result.issues);
  if (!result.ok || outcome.keyIssues.length > 0 || extraIssues.length > 0) {
    return { status: "invalid", partial: { parsed: outcome.parsed, raw } };
  }
  return { status: "ok", loaded: { parsed: outcome.parsed, data: result.data } };
}

/**
 * Parses strict JSON text: syntax is judged by a strict checker (a trailing comma is an error, with
 * its line:col), the value comes from JSON.parse, and positions from a YAML parse of the same text
 * (tabs, which valid JSON only has as whitespace, become spaces so YAML does not object).
 */
export function parseJsonText(
  file: string,
  text: string,
): { ok: true; parsed: ParsedFile; value: unknown } | { ok: false; parsed: ParsedFile; issue: ConfigIssue } {
  const parsed = { ...parseYamlText(file, text.replaceAll("\t", " ")), text };
  if (text.trim() === "")
    return { ok: false, parsed, issue: { file, line: 1, col: 1, path: "", message: "file is empty" } };
  const error = jsonSyntaxError(text);
  if (error) {
    const { line, col } = parsed.lineCounter.linePos(error.offset);
    return {
      ok: false,
      parsed,
      issue: { file, line, col, path: "", message: `invalid JSON: ${error.message}` },
    };
  }
  return { ok: true, parsed, value: JSON.parse(text) as unknown };
}

/** Reads, parses and validates one JSON config file. */
export async function loadJsonFile<S extends z.ZodType>(
  root: string,
  file: string,
  schema: S,
  issues: ConfigIssue[],
  dollarCheck: (parsed: ParsedFile) => ConfigIssue[],
): Promise<FileResult<z.output<S>>> {
  const got = await read(root, file, issues);
  if (got.status !== "ok") return got;
  const outcome = parseJsonText(file, got.text);
  if (!outcome.ok) {
    issues.push(outcome.issue);
    return { status: "invalid" };
  }
  const keyIssues = dollarCheck(outcome.parsed);
  issues.push(...keyIssues);
  const result = validateWith(outcome.parsed, schema, outcome.value);
  if (!result.ok) issues.push(...result.issues);
  if (!result.ok || keyIssues.length > 0)
    return { status: "invalid", partial: { parsed: outcome.parsed, raw: outcome.value } };
  return { status: "ok", loaded: { parsed: outcome.parsed, data: result.data } };
}

/** Reads a plain text file (PROJECT.md, .env) with the same size and encoding checks. */
export async function loadTextFile(root: string, file: string, issues: ConfigIssue[]): Promise<TextResult> {
  return read(root, file, issues);
}
