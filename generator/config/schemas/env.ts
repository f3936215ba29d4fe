import { z } from "zod";

/** 32 random bytes, base64url (43 characters). Shorter keys make every derived token guessable. */
export const MASTER_KEY_MIN_BYTES = 32;

export const masterKey = z.string().refine((value) => {
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(value)) return false;
  return Buffer.from(value, "base64url").length >= MASTER_KEY_MIN_BYTES;
}, `OPENLEGION_MASTER_KEY must be at least ${MASTER_KEY_MIN_BYTES} random bytes in base64url (run \`openlegion init\` or \`openssl rand -base64 32 | tr '+/' '-_'\`)`);

export const ENV_KEYS = {
  OPENLEGION_MASTER_KEY: "Root secret; agent, mesh and operator tokens are derived from it.",
  OPENLEGION_LOG_FORMAT: 'Log format of the services: "json" (default) or "text".',
  OPENLEGION_SQLITE_SYNC:
    'SQLite durability of every service: "full" (default, an acknowledged write survives power loss) or "normal" (opt-in: faster, the last writes before a power loss may be lost; docs/operations.md).',
  "OPENLEGION_CRED_*": "Provider keys, API keys and channel tokens, e.g. OPENLEGION_CRED_OPENAI_API_KEY.",
} as const;

/**
 * `.env` as far as OpenLegion reads it. Keys outside `OPENLEGION_` are the user's and are ignored;
 * an unknown `OPENLEGION_` key is an error (it is almost always a typo of one of the above).
 */
export const envFileSchema = z
  .object({
    OPENLEGION_MASTER_KEY: masterKey,
    OPENLEGION_LOG_FORMAT: z.enum(["json", "text"]).default("json"),
    OPENLEGION_SQLITE_SYNC: z.enum(["full", "normal"]).optional(),
  })
  .catchall(z.string());

export type EnvFile = z.output<typeof envFileSchema>;

export const CRED_PREFIX = "OPENLEGION_CRED_";

/** Credentials by name without the prefix: `{ OPENAI_API_KEY: "sk-…" }`. */
export function credentialsOf(env: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (key.startsWith(CRED_PREFIX) && value !== "") out[key.slice(CRED_PREFIX.length)] = value;
  }
  return out;
}
