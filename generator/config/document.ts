import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  type Pair,
  parseDocument,
  type YAMLMap,
} from "yaml";
import type { ConfigIssue } from "./errors.js";

/** Parse options for every config YAML file (ARCHITECTURE.md §3): merge keys on, duplicates refused. */
export const YAML_PARSE_OPTIONS = {
  merge: true,
  uniqueKeys: true,
  prettyErrors: true,
  maxAliasCount: 100,
} as const;

/** Alias expansions allowed when converting a document to data; more is refused as an alias bomb. */
export const MAX_ALIAS_COUNT = 100;

/** A parsed config file: the `yaml` Document with source positions, and where it came from. */
export interface ParsedFile {
  /** Fleet-relative name, e.g. `config/agents.yaml`. */
  file: string;
  text: string;
  doc: Document.Parsed;
  lineCounter: LineCounter;
}

export type PathSegment = string | number;

/** `["agents", "researcher", "modle"]` → `agents.researcher.modle`. */
export function dottedPath(path: readonly PropertyKey[]): string {
  return path.map((segment) => String(segment)).join(".");
}

/** Parses YAML text with positions; syntax problems are in `doc.errors` (see `yamlIssues`). */
export function parseYamlText(file: string, text: string): ParsedFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { ...YAML_PARSE_OPTIONS, lineCounter });
  return { file, text, doc, lineCounter };
}

/** 1-based line and column of a character offset in the file. */
export function positionAt(parsed: ParsedFile, offset: number): { line: number; col: number } {
  const { line, col } = parsed.lineCounter.linePos(Math.max(0, Math.min(offset, parsed.text.length)));
  return { line, col };
}

export function isMergeKey(key: unknown): boolean {
  return isScalar(key) && typeof key.value === "symbol" && key.value.description === "<<";
}

/** Follows an alias to its anchored node (at most a few hops; aliases cannot chain in YAML). */
export function deref(parsed: ParsedFile, node: unknown): unknown {
  return isAlias(node) ? node.resolve(parsed.doc) : node;
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return typeof key.value === "symbol" ? undefined : String(key.value);
  return undefined;
}

/** The maps merged into `map` through `<<` keys, in YAML precedence order. */
export function mergedSources(parsed: ParsedFile, map: YAMLMap): Array<{ pair: Pair; map: YAMLMap }> {
  const out: Array<{ pair: Pair; map: YAMLMap }> = [];
  for (const pair of map.items) {
    if (!isMergeKey(pair.key)) continue;
    const value = deref(parsed, pair.value);
    const sources = isSeq(value) ? value.items.map((item) => deref(parsed, item)) : [value];
    for (const source of sources) if (isMap(source)) out.push({ pair, map: source });
  }
  return out;
}

/** The pair that defines `key` in `map`: explicit keys first, then merged maps (depth-bounded). */
export function findPair(parsed: ParsedFile, map: YAMLMap, key: string, depth = 0): Pair | undefined {
  const explicit = map.items.find((pair) => !isMergeKey(pair.key) && keyText(pair.key) === key);
  if (explicit || depth > 8) return explicit;
  for (const source of mergedSources(parsed, map)) {
    const found = findPair(parsed, source.map, key, depth + 1);
    if (found) return found;
  }
  return undefined;
}

function startOf(node: unknown): number | undefined {
  if (node && typeof node === "object" && "range" in node) {
    const range = (node as Node).range;
    if (Array.isArray(range) && typeof range[0] === "number") return range[0];
  }
  return undefined;
}

/**
 * Where `path` is in the file: the key node (`target: "key"`) or the value node. When the path does
 * not exist (a missing required field), the nearest existing ancestor is returned instead.
 */
export function locate(
  parsed: ParsedFile,
  path: readonly PropertyKey[],
  target: "key" | "value" = "value",
): { line: number; col: number; exact: boolean } {
  let node: unknown = deref(parsed, parsed.doc.contents);
  let offset = startOf(node) ?? 0;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    const last = i === path.length - 1;
    let next: unknown;
    let keyOffset: number | undefined;
    if (isMap(node)) {
      const pair = findPair(parsed, node, String(segment));
      if (pair) {
        keyOffset = startOf(pair.key);
        next = pair.value;
      }
    } else if (isSeq(node) && typeof segment === "number") {
      next = node.items[segment];
    }
    const nextOffset = startOf(next);
    if (last && target === "key" && keyOffset !== undefined)
      return { ...positionAt(parsed, keyOffset), exact: true };
    if (nextOffset === undefined) {
      // Missing value or missing key: point at the key if we have one, else at the ancestor.
      const at = keyOffset ?? offset;
      return { ...positionAt(parsed, at), exact: false };
    }
    node = deref(parsed, next);
    offset = nextOffset;
  }
  return { ...positionAt(parsed, offset), exact: true };
}

/**
 * The dotted path of the deepest key or value containing `offset` (for syntax errors). When the
 * offset is inside the document but in no entry (a line the parser could not attach, e.g. one
 * indented with a tab), the path of the last entry that starts before it.
 */
export function pathAtOffset(parsed: ParsedFile, offset: number): string {
  const path: PathSegment[] = [];
  const rangeOf = (n: unknown): Node["range"] | undefined =>
    n && typeof n === "object" && "range" in n ? ((n as Node).range ?? undefined) : undefined;
  const startsBefore = (n: unknown): boolean => (rangeOf(n)?.[0] ?? Number.POSITIVE_INFINITY) <= offset;
  const contains = (n: unknown): boolean => {
    const range = rangeOf(n);
    return Array.isArray(range) && offset >= range[0] && offset < Math.max(range[2], range[0] + 1);
  };
  let node: unknown = parsed.doc.contents;
  if (!contains(node)) return "";
  for (let depth = 0; depth < 64; depth++) {
    if (isMap(node)) {
      const pair =
        node.items.find((p) => contains(p.key) || contains(p.value)) ??
        node.items.filter((p) => startsBefore(p.key)).at(-1);
      const key = pair ? keyText(pair.key) : undefined;
      if (!pair || key === undefined) break;
      path.push(key);
      if (contains(pair.key)) break;
      node = pair.value;
    } else if (isSeq(node)) {
      let index = node.items.findIndex((item) => contains(item));
      if (index < 0) index = node.items.findLastIndex((item) => startsBefore(item));
      if (index < 0) break;
      path.push(index);
      node = node.items[index];
    } else break;
  }
  return dottedPath(path);
}

/** Calls `visit` for every key of every mapping, with its path; aliases are not followed. */
export function forEachKey(
  parsed: ParsedFile,
  visit: (key: string, path: PathSegment[], keyNode: unknown) => void,
): void {
  const walk = (node: unknown, path: PathSegment[], depth: number): void => {
    if (depth > 200) return;
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = keyText(pair.key);
        if (key === undefined) {
          walk(pair.value, path, depth + 1);
          continue;
        }
        visit(key, [...path, key], pair.key);
        walk(pair.value, [...path, key], depth + 1);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => {
        walk(item, [...path, index], depth + 1);
      });
    }
  };
  walk(parsed.doc.contents, [], 0);
}

/** Issue at a node's start (or 1:1 when the node has no position). */
export function issueAtNode(
  parsed: ParsedFile,
  node: unknown,
  path: readonly PropertyKey[],
  message: string,
): ConfigIssue {
  const { line, col } = positionAt(parsed, startOf(node) ?? 0);
  return { file: parsed.file, line, col, path: dottedPath(path), message };
}

/** Issue at a path (value node, or key node with `target: "key"`). */
export function issueAt(
  parsed: ParsedFile,
  path: readonly PropertyKey[],
  message: string,
  target: "key" | "value" = "value",
): ConfigIssue {
  const { line, col } = locate(parsed, path, target);
  return { file: parsed.file, line, col, path: dottedPath(path), message };
}
