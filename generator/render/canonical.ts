import { createHash } from "node:crypto";

/**
 * JSON with object keys sorted (code-point order) at every level, `undefined` dropped. Used for
 * digests and for generated JSON files so they are byte-stable regardless of construction order.
 */
export function canonicalJson(value: unknown, indent = 0): string {
  return JSON.stringify(sortKeys(value), null, indent);
}

export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort(compareAscii)) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/** Locale-independent string order (never localeCompare: output must not depend on LANG). */
export function compareAscii(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sha256Hex(...parts: string[]): string {
  const hash = createHash("sha256");
  for (const part of parts) {
    hash.update(String(Buffer.byteLength(part)));
    hash.update(":");
    hash.update(part);
  }
  return hash.digest("hex");
}

/** A generated JSON file: canonical key order, 2-space indent, trailing newline. */
export const jsonFile = (value: unknown): string => `${canonicalJson(value, 2)}\n`;
