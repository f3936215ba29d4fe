/**
 * Blackboard key and topic rules (pure). Keys live in one of four namespaces; `history/` is append-only.
 * Keys are a strict charset (no NUL, no spaces, no percent escapes), have no empty or dot-dot segments,
 * and are at most 256 characters, so they are safe in URLs, SQL ranges and log lines.
 */
export const NAMESPACES = ["tasks", "context", "signals", "history"] as const;
export type Namespace = (typeof NAMESPACES)[number];

export const KEY_MAX = 256;
const KEY_CHARS = /^[A-Za-z0-9_.\-:@/]+$/;
const TOPIC = /^[A-Za-z0-9_.\-:@/]{1,128}$/;

/** Returns why `key` is invalid, or undefined when it is valid. */
export function keyProblem(key: string): string | undefined {
  if (key.length === 0) return "empty key";
  if (key.length > KEY_MAX) return `longer than ${KEY_MAX} characters`;
  if (!KEY_CHARS.test(key)) return "only letters, digits and _ . - : @ / are allowed";
  const segments = key.split("/");
  const ns = segments[0];
  if (!NAMESPACES.includes(ns as Namespace))
    return `must start with one of ${NAMESPACES.map((n) => `${n}/`).join(", ")}`;
  if (segments.length < 2) return "needs a name after the namespace";
  for (const segment of segments.slice(1)) {
    if (segment === "") return "empty path segment (// or trailing /)";
    if (segment === "." || segment === "..") return `"${segment}" segments are not allowed`;
  }
  return undefined;
}

/** A listing/watch prefix: any leading part of a valid key (may end in `/`, may be a bare namespace). */
export function prefixProblem(prefix: string): string | undefined {
  if (prefix.length === 0) return undefined;
  if (prefix.length > KEY_MAX) return `longer than ${KEY_MAX} characters`;
  if (!KEY_CHARS.test(prefix)) return "only letters, digits and _ . - : @ / are allowed";
  if (prefix.split("/").some((s) => s === "..")) return '".." segments are not allowed';
  return undefined;
}

export const isAppendOnly = (key: string): boolean => key.startsWith("history/");

export function topicProblem(topic: string): string | undefined {
  if (!TOPIC.test(topic)) return "1-128 characters of letters, digits and _ . - : @ /";
  return undefined;
}

/** Every string prefix of `key`, shortest first, including "" and the key itself (for watch lookup). */
export function prefixesOf(key: string): string[] {
  const out: string[] = [];
  for (let i = 0; i <= key.length; i++) out.push(key.slice(0, i));
  return out;
}
