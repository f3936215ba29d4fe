import { isMap, isScalar, type YAMLMap } from "yaml";
import {
  deref,
  findPair,
  isMergeKey,
  issueAtNode,
  mergedSources,
  type ParsedFile,
  positionAt,
} from "./document.js";
import type { ConfigIssue } from "./errors.js";

interface Definition {
  key: string;
  node: unknown;
}

/** Keys a map defines, explicitly and through `<<` merges (recursively, depth-bounded). */
function definitions(parsed: ParsedFile, map: YAMLMap, depth: number): Definition[] {
  const out: Definition[] = [];
  for (const pair of map.items) {
    if (isMergeKey(pair.key)) continue;
    if (isScalar(pair.key) && typeof pair.key.value !== "symbol")
      out.push({ key: String(pair.key.value), node: pair.key });
  }
  if (depth > 8) return out;
  for (const source of mergedSources(parsed, map)) {
    for (const def of definitions(parsed, source.map, depth + 1))
      out.push({ key: def.key, node: source.pair.key });
  }
  return out;
}

function startLine(parsed: ParsedFile, node: unknown): number {
  const range = (node as { range?: [number, number, number] } | undefined)?.range;
  return positionAt(parsed, range?.[0] ?? 0).line;
}

/**
 * YAML merge keys let an explicit key silently override a merged one. In an id-keyed map such as
 * `agents:` that hides a second definition of the same agent, so every repeat is an issue.
 */
export function mergedDuplicateIssues(
  parsed: ParsedFile,
  path: readonly string[],
  noun: string,
): ConfigIssue[] {
  let node: unknown = deref(parsed, parsed.doc.contents);
  for (const segment of path) {
    node = isMap(node) ? deref(parsed, findPair(parsed, node, segment)?.value) : undefined;
  }
  if (!isMap(node) || !node.items.some((pair) => isMergeKey(pair.key))) return [];
  const issues: ConfigIssue[] = [];
  const first = new Map<string, Definition>();
  const offset = (d: Definition): number => (d.node as { range?: [number] } | undefined)?.range?.[0] ?? 0;
  const ordered = definitions(parsed, node, 0).sort((a, b) => offset(a) - offset(b));
  for (const def of ordered) {
    const earlier = first.get(def.key);
    if (!earlier) {
      first.set(def.key, def);
      continue;
    }
    const how =
      def.node === earlier.node
        ? "twice through the same merge"
        : `also on line ${startLine(parsed, earlier.node)}`;
    const message = `${noun} "${def.key}" is defined more than once (${how}; merge keys "<<" must not repeat an id)`;
    issues.push(issueAtNode(parsed, def.node, [...path, def.key], message));
  }
  return issues;
}
