import { z } from "zod";

/**
 * What `openlegion render` writes to compose/egress-proxy/config.json and the proxy reads at boot.
 * Secrets are never in here: credentials are named, and read from DEFAULT_SECRETS_DIR/cred_<name>.
 */
export const proxyAgentSchema = z.strictObject({
  /** `provider/model` ids the agent may call: its model plus fallback_models. */
  models: z.array(z.string()),
  /** Host patterns for the forward proxy (CONNECT / absolute-URI HTTP). */
  allowed_hosts: z.array(z.string()),
  /** Names from `apis` the agent may call via /api/<name>/… */
  allowed_apis: z.array(z.string()),
  budget: z.strictObject({ daily_usd: z.number().min(0), monthly_usd: z.number().min(0) }),
  /** Used to reserve the worst case when a request names no max_tokens. */
  max_tokens: z.int().min(1),
});

export const proxyProviderSchema = z.strictObject({
  api: z.enum(["openai", "anthropic", "gemini", "openai-compatible"]),
  base_url: z.string(),
  /** Credential name; the key is read from the secret file cred_<lowercase name>. Absent = no key. */
  credential: z.string().optional(),
});

export const proxyApiSchema = z.strictObject({
  base_url: z.string(),
  credential: z.string(),
  header: z.string().optional(),
  query: z.string().optional(),
});

export const priceSchema = z.strictObject({
  input_per_mtok: z.number().min(0),
  output_per_mtok: z.number().min(0),
  cached_input_per_mtok: z.number().min(0).optional(),
});

export const proxyConfigSchema = z.strictObject({
  version: z.literal(1),
  agents: z.record(z.string(), proxyAgentSchema),
  providers: z.record(z.string(), proxyProviderSchema),
  apis: z.record(z.string(), proxyApiSchema),
  /** Overrides on top of the proxy's built-in, versioned price table. */
  pricing: z.record(z.string(), priceSchema),
  /** Private ranges the forward proxy may reach (default none). */
  allow_private_cidrs: z.array(z.string()),
});

export type ProxyConfig = z.output<typeof proxyConfigSchema>;
export type ProxyAgent = z.output<typeof proxyAgentSchema>;
export type ProxyProvider = z.output<typeof proxyProviderSchema>;
export type Price = z.output<typeof priceSchema>;
