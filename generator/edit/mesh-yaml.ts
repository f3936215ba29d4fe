import { isDeepStrictEqual } from "node:util";
import { type Document, isMap, isSeq, parseDocument, type YAMLSeq } from "yaml";
import { MAX_ALIAS_COUNT, YAML_PARSE_OPTIONS } from "../config/document.js";

/**
 * In-place edits of a list section of config/mesh.yaml (`webhooks:`, `schedules:`…) through the
 * `yaml` Document API: comments (the file's and the other entries'), key order and the other sections
 * survive; only the edited section may be re-laid out. Every result is re-parsed and compared with the
 * intended data, so an edit can never silently change anything else.
 */

export type ListItem = Record<string, unknown>;

function parse(text: string): Document.Parsed {
  const doc = parseDocument(text, YAML_PARSE_OPTIONS);
  if (doc.errors.length > 0) throw new Error(`mesh.yaml does not parse: ${doc.errors[0]?.message}`);
  return doc;
}

function dataOf(text: string): Record<string, unknown> {
  const data: unknown = parse(text).toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  if (data === null || data === undefined) return {};
  if (typeof data !== "object" || Array.isArray(data)) throw new Error("mesh.yaml is not a map");
  return { ...(data as Record<string, unknown>) };
}

/** The items of `section` as data (empty when absent). */
export function listSection(text: string, section: string): unknown[] {
  const value = dataOf(text)[section];
  return Array.isArray(value) ? value : [];
}

function sectionSeq(doc: Document.Parsed, section: string): YAMLSeq | undefined {
  const root = doc.contents;
  if (!isMap(root)) return undefined;
  const value = root.get(section, true);
  return isSeq(value) ? value : undefined;
}

function checked(result: string, expected: Record<string, unknown>, what: string): string {
  if (!isDeepStrictEqual(dataOf(result), expected))
    throw new Error(`could not ${what} in mesh.yaml without changing other settings`);
  return result;
}

/** Appends `item` to the list `section` (created, block style, when absent, null or `[]`). */
export function addListItemText(text: string, section: string, item: ListItem): string {
  const before = dataOf(text);
  const expected = { ...before, [section]: [...listSection(text, section), item] };
  const doc = parse(text);
  if (doc.contents !== null && !isMap(doc.contents)) throw new Error("mesh.yaml is not a map");
  const seq = sectionSeq(doc, section);
  if (seq) {
    if (seq.items.length === 0) seq.flow = false;
    seq.items.push(doc.createNode(item));
  } else {
    const root = doc.contents;
    if (isMap(root) && root.items.length > 0 && !root.has(section)) {
      // A new section after the others, separated by a blank line like the file's own sections.
      const key = doc.createNode(section);
      key.spaceBefore = true;
      root.items.push(doc.createPair(key, doc.createNode([item])));
    } else {
      // Absent from an empty file, or `webhooks:` (null): set it (the key keeps its place and comments).
      doc.set(section, doc.createNode([item]));
    }
  }
  return checked(doc.toString({ lineWidth: 0 }), expected, `add to ${section}`);
}

/** Removes the first item of `section` whose `key` is `value`; the caller has checked it exists. */
export function removeListItemText(text: string, section: string, key: string, value: string): string {
  const items = listSection(text, section);
  const index = items.findIndex(
    (it) => typeof it === "object" && it !== null && (it as Record<string, unknown>)[key] === value,
  );
  if (index < 0) throw new Error(`no ${section} entry with ${key} ${value}`);
  const expected = { ...dataOf(text), [section]: items.filter((_, i) => i !== index) };
  const doc = parse(text);
  const seq = sectionSeq(doc, section);
  if (!seq || !isMap(seq.items[index])) throw new Error(`${section}[${index}] is not a plain map`);
  seq.items.splice(index, 1);
  return checked(doc.toString({ lineWidth: 0 }), expected, `remove from ${section}`);
}

/** Sets `section.key` to `value` (the map `section` is created when absent or null); other keys keep their comments. */
export function setMapEntryText(text: string, section: string, key: string, value: ListItem): string {
  const before = dataOf(text);
  const current = before[section];
  const base = typeof current === "object" && current !== null && !Array.isArray(current) ? current : {};
  const expected = { ...before, [section]: { ...base, [key]: value } };
  const doc = parse(text);
  if (doc.contents !== null && !isMap(doc.contents)) throw new Error("mesh.yaml is not a map");
  const node = isMap(doc.contents) ? doc.contents.get(section, true) : undefined;
  if (isMap(node)) {
    node.flow = false;
    node.set(key, doc.createNode(value));
  } else doc.set(section, doc.createNode({ [key]: value }));
  return checked(doc.toString({ lineWidth: 0 }), expected, `set ${section}.${key}`);
}

/** Removes `section.key`; the caller has checked it exists. */
export function removeMapEntryText(text: string, section: string, key: string): string {
  const before = dataOf(text);
  const rest = { ...(before[section] as Record<string, unknown>) };
  delete rest[key];
  const expected = { ...before, [section]: rest };
  const doc = parse(text);
  const node = isMap(doc.contents) ? doc.contents.get(section, true) : undefined;
  if (!isMap(node)) throw new Error(`${section} is not a map`);
  node.delete(key);
  if (node.items.length === 0) node.flow = true;
  return checked(doc.toString({ lineWidth: 0 }), expected, `remove ${section}.${key}`);
}
