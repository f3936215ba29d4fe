import { z } from "zod";

/** What `openlegion render` writes to compose/agent-<id>/manifest.json for the agent runtime. */
export const agentManifestSchema = z.strictObject({
  version: z.literal(1),
  id: z.string(),
  role: z.string(),
  model: z.string(),
  fallback_models: z.array(z.string()),
  max_tokens: z.int(),
  temperature: z.number(),
  browser_backend: z.enum(["basic", "stealth", "advanced"]),
  mcp_servers: z.array(
    z.strictObject({
      name: z.string(),
      command: z.string().optional(),
      args: z.array(z.string()),
      env: z.record(z.string(), z.string()),
      /** Variable → file name under the agent's secrets dir (the value never appears here). */
      secret_env: z.record(z.string(), z.string()),
      timeout_s: z.int(),
      /** A remote server: reached through the proxy's /api/<mcpApiName(id, name)>/ door. */
      url: z.string().optional(),
      transport: z.enum(["streamable-http", "sse"]).optional(),
    }),
  ),
  /** Wire format per provider name, so the agent picks the right AI SDK provider. */
  providers: z.record(z.string(), z.enum(["openai", "anthropic", "gemini", "openai-compatible"])),
  mesh_url: z.string(),
  proxy_url: z.string(),
  embedding_model: z.string(),
  /**
   * The mesh permissions that grant this agent anything (non-empty lists in permissions.json), so it
   * is not offered mesh tools that could only fail. Absent: every mesh tool is offered.
   */
  mesh_grants: z
    .array(z.enum(["blackboard_read", "blackboard_write", "can_message", "can_publish", "can_subscribe"]))
    .optional(),
  /**
   * The Playwright endpoint of the agent's browser sidecar, when agents.yaml sets browser_backend
   * (absent: the agent has no browser tools).
   */
  browser_url: z.string().optional(),
  /** Where the agent's skills directory is mounted read-only, when agents.yaml sets skills_dir. */
  skills_dir: z.string().optional(),
});

export type AgentManifest = z.output<typeof agentManifestSchema>;
