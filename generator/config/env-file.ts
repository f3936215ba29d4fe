import type { ConfigIssue } from "./errors.js";
import { credentialName } from "./schemas/common.js";
import { CRED_PREFIX, ENV_KEYS, type EnvFile, envFileSchema } from "./schemas/env.js";
import { didYouMean } from "./suggest.js";
import { humanErrorMap } from "./zod-issues.js";

/**
 * `.env` in the dotenv dialect Compose reads: `KEY=value`, optional `export `, `#` comments,
 * single- or double-quoted values. Values are secrets: no message ever contains one.
 */
export interface EnvEntry {
  key: string;
  value: string;
  line: number;
  /** Column of the key (1-based). */
  col: number;
  /** Column where the value starts (1-based). */
  valueCol: number;
}

const KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const KNOWN = Object.keys(ENV_KEYS).filter((key) => !key.endsWith("*"));

function unquote(raw: string): { value: string } | { error: string } {
  const first = raw.charAt(0);
  if (first === '"' || first === "'") {
    let end = -1;
    for (let i = 1; i < raw.length; i++) {
      if (first === '"' && raw[i] === "\\") i++;
      else if (raw[i] === first) {
        end = i;
        break;
      }
    }
    if (end < 0) return { error: `unterminated ${first === '"' ? "double" : "single"} quote` };
    const rest = raw.slice(end + 1).trim();
    if (rest !== "" && !rest.startsWith("#")) return { error: "unexpected text after the closing quote" };
    const body = raw.slice(1, end);
    if (first === "'") return { value: body };
    return { value: body.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c === "t" ? "\t" : c)) };
  }
  return { value: raw.replace(/\s+#.*$/, "").trim() };
}

/** Splits `.env` text into entries with positions; syntax problems become issues. */
export function parseEnvText(
  file: string,
  text: string,
): { entries: Map<string, EnvEntry>; issues: ConfigIssue[] } {
  const entries = new Map<string, EnvEntry>();
  const issues: ConfigIssue[] = [];
  text.split("\n").forEach((rawLine, index) => {
    const line = index + 1;
    const content = rawLine.replace(/\r$/, "");
    const indent = content.length - content.trimStart().length;
    let body = content.trimStart();
    if (body === "" || body.startsWith("#")) return;
    let col = indent + 1;
    if (body.startsWith("export ")) {
      col += 7;
      body = body.slice(7);
    }
    const eq = body.indexOf("=");
    const key = (eq < 0 ? body : body.slice(0, eq)).trim();
    if (eq < 0 || !KEY.test(key)) {
      issues.push({ file, line, col, path: KEY.test(key) ? key : "", message: "expected KEY=value" });
      return;
    }
    const afterEq = body.slice(eq + 1);
    const valueCol = col + eq + 1 + (afterEq.length - afterEq.trimStart().length);
    const parsed = unquote(afterEq.trim());
    if ("error" in parsed) {
      issues.push({ file, line, col: valueCol, path: key, message: parsed.error });
      return;
    }
    if (entries.has(key)) {
      const first = entries.get(key)?.line;
      issues.push({ file, line, col, path: key, message: `duplicate key (first set on line ${first})` });
      return;
    }
    entries.set(key, { key, value: parsed.value, line, col, valueCol });
  });
  return { entries, issues };
}

function keyIssue(entry: EnvEntry, file: string): ConfigIssue | undefined {
  const { key } = entry;
  if (!key.startsWith("OPENLEGION_") || KNOWN.includes(key)) return undefined;
  const at = { file, line: entry.line, col: entry.col, path: key };
  if (key.startsWith(CRED_PREFIX)) {
    const name = key.slice(CRED_PREFIX.length);
    if (credentialName.safeParse(name).success) return undefined;
    return { ...at, message: `credential name must be UPPER_SNAKE_CASE after ${CRED_PREFIX}` };
  }
  const hint = didYouMean(key, [...KNOWN, `${CRED_PREFIX}${key.replace(/^OPENLEGION_[A-Z]*_?/, "")}`]);
  return {
    ...at,
    message: `unknown OPENLEGION_ key${hint}; known: ${KNOWN.join(", ")}, ${CRED_PREFIX}<NAME>`,
  };
}

/** Validates `.env`: known OPENLEGION_* keys only, a master key of at least 32 bytes. */
export function validateEnvText(
  file: string,
  text: string,
): { ok: true; env: EnvFile } | { ok: false; issues: ConfigIssue[] } {
  const { entries, issues } = parseEnvText(file, text);
  for (const entry of entries.values()) {
    const issue = keyIssue(entry, file);
    if (issue) issues.push(issue);
  }
  const record = Object.fromEntries([...entries.values()].map((entry) => [entry.key, entry.value]));
  const result = envFileSchema.safeParse(record, { error: humanErrorMap(false) });
  if (!result.success) {
    for (const issue of result.error.issues) {
      const key = String(issue.path[0] ?? "");
      const entry = entries.get(key);
      const message =
        !entry && key === "OPENLEGION_MASTER_KEY"
          ? "missing: .env must set OPENLEGION_MASTER_KEY (run `openlegion init` to generate one)"
          : issue.message;
      issues.push({ file, line: entry?.line ?? 1, col: entry?.valueCol ?? 1, path: key, message });
    }
  }
  if (issues.length > 0 || !result.success) return { ok: false, issues };
  return { ok: true, env: result.data };
}
