import { readFileSync } from "node:fs";
import { join } from "node:path";
import { credentialSecretName, MASTER_KEY_SECRET } from "../common/ports.js";
import { ProxyErrors } from "./errors.js";

/**
 * Reads secret files (Compose `secrets:` mounted at /run/secrets). Values are cached after the first read,
 * never logged and never put in errors; a missing file is a ProxyErrors.credentialMissing naming the
 * credential only.
 */
export interface SecretReader {
  masterKey(): string;
  credential(name: string): string;
}

const MAX_SECRET_BYTES = 64 * 1024;

export function fileSecrets(dir: string): SecretReader {
  const cache = new Map<string, string>();
  const read = (file: string, label: string): string => {
    const hit = cache.get(file);
    if (hit !== undefined) return hit;
    let value: string;
    try {
      const buf = readFileSync(join(dir, file));
      if (buf.length > MAX_SECRET_BYTES) throw new Error("too large");
      value = buf.toString("utf8").trim();
    } catch {
      throw ProxyErrors.credentialMissing(label);
    }
    if (value.length === 0 || /[\r\n]/.test(value)) throw ProxyErrors.credentialMissing(label);
    cache.set(file, value);
    return value;
  };
  return {
    masterKey: () => read(MASTER_KEY_SECRET, "master key"),
    credential: (name) => read(credentialSecretName(name), name),
  };
}
