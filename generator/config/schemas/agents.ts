import { z } from "zod";
import { agentId, credentialName, envName, hostPattern, modelRef, name } from "./common.js";

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

/** An npm package with an optional version or range: `@scope/name@1.2.3`, `name@^2`, `name`. */
export const npmSpec = z
  .string()
  .max(214)
  .regex(
    /^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*(@[A-Za-z0-9.^~<>=*|+ -]+)?$/,
    'an npm package is "name", "name@version" or "@scope/name@version"',
  );
/** A Debian package, optionally pinned: `jq`, `sqlite3=3.40.1-2+deb12u1`. */
export const debSpec = z
  .string()
  .max(200)
  .regex(/^[a-z0-9][a-z0-9+.-]+(=[A-Za-z0-9.+:~-]+)?$/, 'a Debian package is "name" or "name=version"');

export const imagePackagesSchema = z.strictObject({
  apt: z.array(debSpec).max(64).default([]).describe("Debian packages baked into the fleet's agent image."),
  npm: z
    .array(npmSpec)
    .max(64)
    .default([])
    .describe("npm packages baked into the fleet's agent image (their commands are on PATH)."),
});

export const mcpServerSchema = z
  .strictObject({
    name: name.describe("Server id (log prefix and tool-name prefix on conflicts)."),
    command: z
      .string()
      .min(1)
      .optional()
      .describe("Command started as a stdio child process inside the agent."),
    package: npmSpec
      .optional()
      .describe(
        "npm package that provides the command, baked into the fleet's agent image by `openlegion build` (versions pinned in config/packages.lock.json).",
      ),
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
      .refine((u) => !/^[a-z]+:\/\/[^/]*@/i.test(u), "the url must not carry credentials (use credential)")
      .optional()
      .describe(
        "A remote MCP server (Streamable HTTP, or SSE), reached through the egress proxy; its host must be in allowed_hosts.",
      ),
    credential: credentialName
      .optional()
      .describe(
        "Remote servers: credential name in .env (OPENLEGION_CRED_<name>) the egress proxy sends as `Authorization: Bearer`; the agent never holds it.",
      ),
    transport: z
      .enum(["streamable-http", "sse"])
      .optional()
      .describe(
        "Remote servers: force one transport (default: Streamable HTTP, falling back to SSE when the server refuses it).",
      ),
  })
  .superRefine((s, ctx) => {
    if (Boolean(s.command) === Boolean(s.url))
      ctx.addIssue({ code: "custom", message: "an MCP server needs exactly one of command or url" });
    const local = {
      args: s.args.length,
      env: Object.keys(s.env).length,
      secret_env: Object.keys(s.secret_env).length,
    };
    if (s.url)
      for (const [field, n] of Object.entries(local))
        if (n > 0)
          ctx.addIssue({
            code: "custom",
            path: [field],
            message: `${field} is for command servers; a url server gets none`,
          });
    if (s.url && s.package !== undefined)
      ctx.addIssue({ code: "custom", path: ["package"], message: "package is for command servers" });
    if (s.command)
      for (const field of ["credential", "transport"] as const)
        if (s[field] !== undefined)
          ctx.addIssue({
            code: "custom",
            path: [field],
            message: `${field} is for url servers (use secret_env for a command)`,
          });
  });

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
  skills_dir: z
    .string()
    .optional()
    .describe(
      "Directory of custom skills, relative to the fleet directory (not available in this release: refused).",
    ),
  browser_backend: z
    .enum(["basic", "stealth", "advanced"])
    .optional()
    .describe(
      'Gives the agent browser tools and a Chromium sidecar; "basic" only ("stealth" and "advanced" are refused).',
    ),
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
    .describe(
      'Container image override (default: the OpenLegion agent image). "toolbox": the agent image plus Python 3, pip, git, curl, jq, sqlite3, ripgrep and build-essential from Debian, built by `openlegion build`.',
    ),
  image_packages: imagePackagesSchema
    .optional()
    .describe(
      "Debian and npm packages baked into the fleet's agent image at build time (never installed at run time).",
    ),
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
