import { isDeepStrictEqual } from "node:util";
import { Document, isMap, isScalar, LineCounter, parseDocument, Scalar, type YAMLMap } from "yaml";
import { YAML_PARSE_OPTIONS } from "../config/document.js";

/**
 * In-place edits of config/agents.yaml that leave every byte outside the edited agent alone: the
 * user's comments, blank lines, quoting and indentation survive. The `yaml` Document API locates the
 * agents; the edit itself is a splice of whole lines. Every result is re-parsed and compared with the
 * intended data; if the layout is too unusual for a splice (flow style, keys on one line), the edit
 * falls back to the Document API, which keeps comments but may normalise formatting.
 */

export type AgentFields = Record<string, unknown>;

interface Layout {
  lines: string[];
  eol: string;
  finalEol: boolean;
  /** Line index of the `agents:` key. */
  agentsLine: number;
  agentsIndent: number;
  itemIndent: number;
  childIndent: number;
  items: { id: string; keyLine: number }[];
}

const indentOf = (line: string): number => line.length - line.trimStart().length;
const isBlank = (line: string | undefined): boolean => line !== undefined && line.trim() === "";
const isComment = (line: string | undefined): boolean => line?.trimStart().startsWith("#") === true;

function parse(text: string): { doc: Document.Parsed; lc: LineCounter } {
  const lc = new LineCounter();
  const doc = parseDocument(text, { ...YAML_PARSE_OPTIONS, lineCounter: lc });
  return { doc, lc };
}

function agentsMap(doc: Document.Parsed): { keyOffset: number; map: YAMLMap | undefined } | undefined {
  const root = doc.contents;
  if (!isMap(root)) return undefined;
  const pair = root.items.find((p) => isScalar(p.key) && p.key.value === "agents");
  if (!pair || !isScalar(pair.key) || !pair.key.range) return undefined;
  return { keyOffset: pair.key.range[0], map: isMap(pair.value) ? pair.value : undefined };
}

/** Where each agent starts, or undefined when the splice approach does not apply. */
function layoutOf(text: string): Layout | undefined {
  const { doc, lc } = parse(text);
  if (doc.errors.length > 0) return undefined;
  const found = agentsMap(doc);
  if (!found?.map || found.map.flow || found.map.items.length === 0) return undefined;
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  const finalEol = text.endsWith(eol);
  const lines = (finalEol ? text.slice(0, -eol.length) : text).split(eol);
  const agentsLine = lc.linePos(found.keyOffset).line - 1;
  const items: Layout["items"] = [];
  for (const pair of found.map.items) {
    if (!isScalar(pair.key) || !pair.key.range || typeof pair.key.value !== "string") return undefined;
    items.push({ id: pair.key.value, keyLine: lc.linePos(pair.key.range[0]).line - 1 });
  }
  const first = items[0];
  if (!first || first.keyLine <= agentsLine) return undefined;
  const itemIndent = indentOf(lines[first.keyLine] ?? "");
  if (
    items.some(
      (item, i) =>
        indentOf(lines[item.keyLine] ?? "") !== itemIndent ||
        (i > 0 && item.keyLine <= (items[i - 1]?.keyLine ?? 0)),
    )
  ) {
    return undefined;
  }
  const childLine = lines.slice(first.keyLine + 1).find((line) => !isBlank(line) && !isComment(line));
  const childIndent = childLine && indentOf(childLine) > itemIndent ? indentOf(childLine) - itemIndent : 2;
  return {
    lines,
    eol,
    finalEol,
    agentsLine,
    agentsIndent: indentOf(lines[agentsLine] ?? ""),
    itemIndent,
    childIndent,
    items,
  };
}

/** First line after the agents map: the next line at or left of `agents:` that is content, or EOF. */
function mapEnd(layout: Layout): number {
  const last = layout.items[layout.items.length - 1]?.keyLine ?? layout.agentsLine;
  for (let i = last + 1; i < layout.lines.length; i++) {
    const line = layout.lines[i] ?? "";
    if (!isBlank(line) && !isComment(line) && indentOf(line) <= layout.agentsIndent) return i;
  }
  return layout.lines.length;
}

/** Comment lines directly above an agent, at its indentation, belong to it. */
function blockStart(layout: Layout, keyLine: number): number {
  let start = keyLine;
  while (start - 1 > layout.agentsLine) {
    const above = layout.lines[start - 1];
    if (!isComment(above) || indentOf(above ?? "") !== layout.itemIndent) break;
    start--;
  }
  return start;
}

/** Last line of an agent's content: trailing blank lines and item-level comments are the gap. */
function blockEnd(layout: Layout, index: number): number {
  const next = layout.items[index + 1];
  let end = (next ? blockStart(layout, next.keyLine) : mapEnd(layout)) - 1;
  const keyLine = layout.items[index]?.keyLine ?? 0;
  while (end > keyLine) {
    const line = layout.lines[end];
    if (isBlank(line) || (isComment(line) && indentOf(line ?? "") <= layout.itemIndent)) end--;
    else break;
  }
  return end;
}

const join = (layout: Layout, lines: string[]): string =>
  lines.join(layout.eol) + (layout.finalEol ? layout.eol : "");

function agentsData(text: string): Record<string, unknown> | undefined {
  const { doc } = parse(text);
  if (doc.errors.length > 0) return undefined;
  const data: unknown = doc.toJS({ maxAliasCount: YAML_PARSE_OPTIONS.maxAliasCount });
  if (typeof data !== "object" || data === null) return undefined;
  const agents = (data as { agents?: unknown }).agents;
  return typeof agents === "object" && agents !== null ? (agents as Record<string, unknown>) : {};
}

/** YAML text of one agent entry, indented for the file it goes into. */
export function agentBlock(
  id: string,
  fields: AgentFields,
  itemIndent: number,
  childIndent: number,
): string[] {
  const doc = new Document({ [id]: fields });
  const entry = doc.getIn([id], true);
  if (isMap(entry)) {
    for (const pair of entry.items) {
      if (isScalar(pair.value) && typeof pair.value.value === "string" && pair.value.value.includes("\n")) {
        pair.value.type = Scalar.BLOCK_LITERAL;
      }
    }
  }
  const text = doc.toString({ indent: childIndent, lineWidth: 0 });
  const pad = " ".repeat(itemIndent);
  return text
    .replace(/\n$/, "")
    .split("\n")
    .map((line) => (line === "" ? "" : pad + line));
}

function viaDocument(text: string, edit: (doc: Document.Parsed) => void): string {
  const { doc } = parse(text);
  edit(doc);
  return doc.toString({ lineWidth: 0 });
}

function checked(result: string, expected: Record<string, unknown>): string | undefined {
  const after = agentsData(result);
  return after && isDeepStrictEqual(after, expected) ? result : undefined;
}

/** Adds `id` after the last agent. The caller has checked that `id` is new and valid. */
export function addAgentText(text: string, id: string, fields: AgentFields): string {
  const before = agentsData(text) ?? {};
  const expected = { ...before, [id]: fields };
  const layout = layoutOf(text);
  if (layout) {
    const end = blockEnd(layout, layout.items.length - 1);
    const block = agentBlock(id, fields, layout.itemIndent, layout.childIndent);
    const lines = [...layout.lines.slice(0, end + 1), "", ...block, ...layout.lines.slice(end + 1)];
    const spliced = checked(join(layout, lines), expected);
    if (spliced) return spliced;
  }
  const fallback = viaDocument(text, (doc) => {
    const found = agentsMap(doc);
    if (found?.map) found.map.flow = false;
    else doc.set("agents", doc.createNode({}));
    doc.setIn(["agents", id], doc.createNode(fields));
  });
  const result = checked(fallback, expected);
  if (!result) throw new Error(`could not add agent ${id} to agents.yaml without changing other agents`);
  return result;
}

/** Removes `id`, its own comments and one separating blank line. The caller has checked it exists. */
export function removeAgentText(text: string, id: string): string {
  const expected = { ...(agentsData(text) ?? {}) };
  delete expected[id];
  const layout = layoutOf(text);
  const index = layout?.items.findIndex((item) => item.id === id) ?? -1;
  if (layout && index >= 0) {
    const item = layout.items[index];
    let start = blockStart(layout, item?.keyLine ?? 0);
    let end = blockEnd(layout, index);
    const lines = layout.lines;
    const blankBefore = start - 1 > layout.agentsLine && isBlank(lines[start - 1]);
    const firstItem = start - 1 === layout.agentsLine;
    let after = end + 1;
    while (after < lines.length && isBlank(lines[after])) after++;
    if (after > end + 1 && (blankBefore || firstItem)) end = after - 1;
    else if (after === lines.length)
      while (start - 1 > layout.agentsLine && isBlank(lines[start - 1])) start--;
    const kept = [...lines.slice(0, start), ...lines.slice(end + 1)];
    if (layout.items.length === 1) {
      kept[layout.agentsLine] = (kept[layout.agentsLine] ?? "").replace(
        /^(\s*agents:)(\s*(#.*)?)$/,
        "$1 {}$2",
      );
    }
    const spliced = checked(join(layout, kept), expected);
    if (spliced) return spliced;
  }
  const result = checked(
    viaDocument(text, (doc) => doc.deleteIn(["agents", id])),
    expected,
  );
  if (!result) throw new Error(`could not remove agent ${id} from agents.yaml without changing other agents`);
  return result;
}
