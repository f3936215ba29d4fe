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
  /** The agent's network (IPv4 CIDR): its token is refused from any other source address. */
  subnet: z.string(),
  /** Bumped by `agent remove`: a re-added agent gets a new token and the old one is refused. */
  token_generation: z.int().min(0).default(0),
  /** LLM endpoints granted beyond inference, as "METHOD path-glob" ("GET v1/files", "POST v1/batches"). */
  llm_endpoints: z.array(z.string()).default([]),
  /** Provider-side tools the agent may request (web_search_preview, googleSearch, …); each must have a price. */
  server_tools: z.array(z.string()).default([]),
});

export const proxyProviderSchema = z.strictObject({
  api: z.enum(["openai", "anthropic", "gemini", "openai-compatible"]),
  base_url: z.string(),
  /** Credential name; the key is read from the secret file cred_<lowercase name>. Absent = no key. */
  credential: z.string().optional(),
  /** Headers set on every upstream call (openai-organization, openai-project, anthropic-beta); agents cannot. */
  headers: z.record(z.string(), z.string()).optional(),
  /** Self-hosted models: priced 0 unless the pricing table overrides them. */
  local: z.literal(true).optional(),
});

export const proxyApiSchema = z.strictObject({
  base_url: z.string(),
  /** Absent only for an MCP server that needs no credential. */
  credential: z.string().optional(),
  header: z.string().optional(),
  /** Put before the key in `header` ("Bearer" → `Authorization: Bearer <key>`). */
  scheme: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9-]{0,31}$/)
    .optional(),
  query: z.string().optional(),
  /**
   * "mcp": an agent's remote MCP server (agents.yaml `mcp_servers[].url`): the credential goes as
   * `Authorization: Bearer`, and the base URL's host must be in the calling agent's allowed_hosts.
   */
  kind: z.literal("mcp").optional(),
  /**
   * The key as the first path segment, after this prefix: Telegram's `bot` → `<base_url>/bot<key>/<rest>`.
   * The caller's path holds no key at all; the proxy writes it in.
   */
  path_prefix: z
    .string()
    .regex(/^[A-Za-z0-9_-]{0,32}$/)
    .optional(),
});

/**
 * The mesh's own identity at the proxy (chat channels' outbound traffic): token derived from the master key
 * as for an agent of id MESH_EGRESS_ID, no model, no budget; only these hosts and APIs.
 */
export const proxyMeshSchema = z.strictObject({
  allowed_hosts: z.array(z.string()),
  allowed_apis: z.array(z.string()),
  /** Where the mesh's calls come from (IPv4 CIDR): the fleet's subnet pool, since the mesh sits on every network. */
  subnet: z.string(),
});

/** The proxy API an agent's remote MCP server is reached by (dots: no `apis:` name can take it). */
export const mcpApiName = (agent: string, server: string): string => `mcp.${agent}.${server}`;

export const priceSchema = z.strictObject({
  input_per_mtok: z.number().min(0),
  output_per_mtok: z.number().min(0),
  cached_input_per_mtok: z.number().min(0).optional(),
  /** USD per call of a provider-side tool (web_search_preview, file_search, …), reserved per declared tool. */
  tool_call_usd: z.record(z.string(), z.number().min(0)).optional(),
});

export const proxyConfigSchema = z.strictObject({
  version: z.literal(1),
  agents: z.record(z.string(), proxyAgentSchema),
  /** Absent when the fleet has no chat channel: then the mesh has no identity at the proxy. */
  mesh: proxyMeshSchema.optional(),
  providers: z.record(z.string(), proxyProviderSchema),
  apis: z.record(z.string(), proxyApiSchema),
  /** Overrides on top of the proxy's built-in, versioned price table. */
  pricing: z.record(z.string(), priceSchema),
  /** Private ranges the forward proxy may reach (default none). */
  allow_private_cidrs: z.array(z.string()),
  /** PEM file (relative to the config dir) trusted for upstream TLS besides the system roots. */
  extra_ca_file: z.string().optional(),
});

export type ProxyConfig = z.output<typeof proxyConfigSchema>;
export type ProxyAgent = z.output<typeof proxyAgentSchema>;
export type ProxyProvider = z.output<typeof proxyProviderSchema>;
export type Price = z.output<typeof priceSchema>;
