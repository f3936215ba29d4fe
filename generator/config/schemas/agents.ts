import { z } from "zod";
import { agentId, envName, hostPattern, modelRef, name } from "./common.js";

/** Docker memory sizes as docker-compose accepts them: `512m`, `1g`, `1.5g`, `268435456`. */
export const MEMORY_PATTERN = /^\d+(\.\d+)?([bkmg])?$/i;

export const resourcesSchema = z.strictObject({
  memory_limit: z
    .string()
    .regex(MEMORY_PATTERN, 'memory_limit must be a size like "512m" or "1g"')
    .default("512m")
    .describe("Container memory limit (also the swap limit: no swap)."),
  cpu_limit: z
    .number()
    .gt(0, "cpu_limit must be greater than 0")
    .max(64, "cpu_limit must be at most 64")
    .default(0.5)
    .describe("CPUs the agent may use (0.5 = half a core)."),
  pids_limit: z.int().min(16).max(4096).default(256).describe("Maximum processes in the container."),
});

export const budgetSchema = z.strictObject({
  daily_usd: z
    .number()
    .min(0, "daily_usd must not be negative")
    .max(100_000)
    .default(10)
    .describe("Daily LLM spend cap in USD."),
  monthly_usd: z
    .number()
    .min(0, "monthly_usd must not be negative")
    .max(1_000_000)
    .default(200)
    .describe("Monthly LLM spend cap in USD."),
});

export const mcpServerSchema = z
  .strictObject({
    name: name.describe("Server id (log prefix and tool-name prefix on conflicts)."),
    command: z
      .string()
      .min(1)
      .optional()
      .describe("Command started as a stdio child process inside the agent."),
    args: z.array(z.string()).default([]).describe("Arguments of the command."),
    env: z.record(envName, z.string()).default({}).describe("Non-secret environment for the server process."),
    secret_env: z
      .record(envName, envName)
      .default({})
      .describe(
        "Secret environment for the server process: variable → credential name in .env (OPENLEGION_CRED_<name>), mounted as a secret file, never in the manifest.",
      ),
    timeout_s: z
      .int()
      .min(1)
      .max(3600)
      .default(60)
      .describe("Per-call timeout in seconds (reset whenever the server reports progress)."),
    url: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe("A remote (streamable HTTP) MCP server, reached through the egress proxy."),
  })
  .refine((s) => Boolean(s.command) !== Boolean(s.url), {
    message: "an MCP server needs exactly one of command or url",
  });

/** The workspace files seeded on an agent's first boot, and the agents.yaml field of each. */
export const WORKSPACE_SEEDS = {
  "AGENTS.md": "initial_instructions",
  "SOUL.md": "initial_soul",
  "USER.md": "initial_user",
  "MEMORY.md": "initial_memory",
  "HEARTBEAT.md": "initial_heartbeat",
} as const;
export type SeedField = (typeof WORKSPACE_SEEDS)[keyof typeof WORKSPACE_SEEDS];

/** Bytes the agent's update_workspace accepts per file (services/agent/tools/update-workspace.ts). */
const SEED_MAX_CHARS = 32_000;
const seedText = (file: string) =>
  z
    .string()
    .max(SEED_MAX_CHARS)
    .optional()
    .describe(
      `First-boot content of ${file}; default: config/workspace/<agent-id>/ if that file exists, else a heading.`,
    );

export const agentSchema = z.strictObject({
  role: z
    .string()
    .min(1)
    .max(200)
    .default("assistant")
    .describe("Short role shown in status and to other agents."),
  model: modelRef.optional().describe("Primary model; defaults to llm.default_model in mesh.yaml."),
  fallback_models: z
    .array(modelRef)
    .max(8)
    .default([])
    .describe("Failover chain, tried in order when the model is unavailable."),
  system_prompt: z
    .string()
    .max(100_000)
    .default("")
    .describe("Instructions prepended to every conversation."),
  initial_instructions: seedText(
    "AGENTS.md (the instructions: how the agent works; read-only for the agent)",
  ),
  initial_soul: seedText("SOUL.md (identity and tone; read-only for the agent)"),
  initial_user: seedText("USER.md (who the agent works for; the agent keeps it current)"),
  initial_memory: seedText("MEMORY.md (durable notes; the agent keeps it current)"),
  initial_heartbeat: seedText("HEARTBEAT.md (the agent's own health probes; read-only for the agent)"),
  skills_dir: z
    .string()
    .optional()
    .describe(
      "Directory of the operator's custom skills (JavaScript or TypeScript modules, docs/skills.md), relative to the fleet directory; mounted read-only into the agent.",
    ),
  browser_backend: z
    .enum(["basic", "stealth", "advanced"])
    .optional()
    .describe("Browser flavour for browser tools (not available in this release: refused)."),
  resources: resourcesSchema.prefault({}).describe("Container limits."),
  budget: budgetSchema.prefault({}).describe("LLM spend caps enforced by the egress proxy."),
  mcp_servers: z.array(mcpServerSchema).max(32).default([]).describe("MCP tool servers."),
  allowed_hosts: z
    .array(hostPattern)
    .max(256)
    .default([])
    .describe("Hosts the agent may reach through the egress proxy (default none)."),
  image: z
    .string()
    .min(1)
    .optional()
    .describe("Container image override (default: the OpenLegion agent image)."),
  env: z
    .record(envName, z.string().max(4096))
    .default({})
    .describe("Non-secret environment variables for the agent."),
  max_tokens: z
    .int()
    .min(1)
    .max(1_000_000)
    .optional()
    .describe("Per-call output cap; defaults to llm.max_tokens."),
  temperature: z
    .number()
    .min(0)
    .max(2)
    .optional()
    .describe("Sampling temperature; defaults to llm.temperature."),
});

export const agentsFileSchema = z.strictObject({
  agents: z.record(agentId, agentSchema).default({}).describe("Agents by id."),
});

export type AgentConfig = z.output<typeof agentSchema>;
export type AgentsFile = z.output<typeof agentsFileSchema>;
