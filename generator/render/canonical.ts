import { createHash } from "node:crypto";
import { canonicalJson } from "../../services/common/canonical-json.js";

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
