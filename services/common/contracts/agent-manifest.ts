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
      url: z.string().optional(),
    }),
  ),
  /** Wire format per provider name, so the agent picks the right AI SDK provider. */
  providers: z.record(z.string(), z.enum(["openai", "anthropic", "gemini", "openai-compatible"])),
  mesh_url: z.string(),
  proxy_url: z.string(),
  embedding_model: z.string(),
  /** Where the agent's skills directory is mounted read-only, when agents.yaml sets skills_dir. */
  skills_dir: z.string().optional(),
});

export type AgentManifest = z.output<typeof agentManifestSchema>;
