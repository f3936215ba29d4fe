import { isAlias, visit, type YAMLError } from "yaml";
import {
  forEachKey,
  issueAtNode,
  MAX_ALIAS_COUNT,
  type ParsedFile,
  parseYamlText,
  pathAtOffset,
  positionAt,
} from "./document.js";
import type { ConfigIssue } from "./errors.js";

function firstLetterLower(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** The `yaml` package's message without the " at line L, column C:" context that prettyErrors adds. */
function plainMessage(error: YAMLError): string {
  const firstLine = error.message.split("\n")[0] ?? error.message;
  return firstLetterLower(firstLine.replace(/ at line \d+, column \d+:?$/, ""));
}

function describeYamlError(parsed: ParsedFile, error: YAMLError): string {
  const key =
    /^("[^"\n]*"|'[^'\n]*'|[^:#\s]+)/.exec(parsed.text.slice(error.pos[0], error.pos[0] + 200))?.[0] ?? "";
  switch (error.code) {
    case "TAB_AS_INDENT":
      return "tab used for indentation; YAML allows only spaces here";
    case "DUPLICATE_KEY":
      return `duplicate key ${JSON.stringify(key.replace(/^["']|["']$/g, ""))} (each key may appear once per mapping)`;
    case "MULTIPLE_DOCS":
      return 'more than one YAML document (remove the extra "---")';
    case "BAD_ALIAS":
      return `${plainMessage(error)} (an alias *name must follow its anchor &name)`;
    default:
      return plainMessage(error);
  }
}

/** Syntax errors and warnings of a parsed file, each with line:col and the nearest dotted path. */
export function yamlIssues(parsed: ParsedFile): ConfigIssue[] {
  return [...parsed.doc.errors, ...parsed.doc.warnings].map((error) => {
    const { line, col } = positionAt(parsed, error.pos[0]);
    return {
      file: parsed.file,
      line,
      col,
      path: pathAtOffset(parsed, error.pos[0]),
      message: describeYamlError(parsed, error),
    };
  });
}

/** `$` in a key would be interpolated by Compose somewhere downstream; refuse it everywhere. */
export function dollarKeyIssues(parsed: ParsedFile): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  forEachKey(parsed, (key, path, node) => {
    if (key.includes("$"))
      issues.push(issueAtNode(parsed, node, path, `"$" is not allowed in keys (got ${JSON.stringify(key)})`));
  });
  return issues;
}

function firstAlias(parsed: ParsedFile): unknown {
  let found: unknown;
  visit(parsed.doc, {
    Alias(_, node) {
      found = node;
      return visit.BREAK;
    },
  });
  return found;
}

/**
 * `*name` with no `&name` before it (the parser accepts it; converting to data would throw), and
 * an alias inside the node it refers to (circular data that no config can mean).
 */
function aliasIssues(parsed: ParsedFile): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  visit(parsed.doc, {
    Alias(_, node, ancestors) {
      const target = node.resolve(parsed.doc);
      const message =
        target === undefined
          ? `unknown alias *${node.source}: no anchor &${node.source} before it`
          : ancestors.includes(target)
            ? `alias *${node.source} refers to a node that contains it (circular)`
            : undefined;
      if (message === undefined) return;
      const offset = node.range?.[0] ?? 0;
      const { line, col } = positionAt(parsed, offset);
      issues.push({ file: parsed.file, line, col, path: pathAtOffset(parsed, offset), message });
    },
  });
  return issues;
}

/** True when the file holds nothing but whitespace and comments. */
export function isEmptyDocument(parsed: ParsedFile): boolean {
  const contents = parsed.doc.contents;
  if (contents === null) return true;
  return "value" in contents &&
    contents.value === null &&
    !isAlias(contents) &&
    parsed.doc.errors.length === 0
    ? parsed.text.split("\n").every((line) => /^\s*(#.*)?$/.test(line) || /^\s*(---|\.\.\.)\s*$/.test(line))
    : false;
}

export type DataOutcome =
  | { ok: true; parsed: ParsedFile; value: unknown }
  | { ok: false; parsed: ParsedFile; issues: ConfigIssue[] };

/**
 * Parses YAML text into plain data. Syntax errors, an empty file and alias bombs are issues; so is a
 * `$` in any key (reported alongside, but the data is still returned for schema validation).
 */
export function yamlToData(file: string, text: string): DataOutcome & { keyIssues: ConfigIssue[] } {
  const parsed = parseYamlText(file, text);
  const syntax = yamlIssues(parsed);
  if (syntax.length > 0) return { ok: false, parsed, issues: syntax, keyIssues: [] };
  if (isEmptyDocument(parsed)) {
    return {
      ok: false,
      parsed,
      issues: [{ file, line: 1, col: 1, path: "", message: "file is empty" }],
      keyIssues: [],
    };
  }
  const keyIssues = dollarKeyIssues(parsed);
  const unresolved = aliasIssues(parsed);
  if (unresolved.length > 0) return { ok: false, parsed, issues: unresolved, keyIssues };
  try {
    const value: unknown = parsed.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    return { ok: true, parsed, value, keyIssues };
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    const message = `too many alias expansions (limit ${MAX_ALIAS_COUNT}); refusing what looks like a YAML alias bomb`;
    const alias = firstAlias(parsed) as { range?: [number] } | undefined;
    const path = pathAtOffset(parsed, alias?.range?.[0] ?? 0);
    const { line, col } = positionAt(parsed, alias?.range?.[0] ?? 0);
    return { ok: false, parsed, issues: [{ file, line, col, path, message }], keyIssues };
  }
}
