import { z } from "zod";
import { agentId, credentialName, duration, modelRef, name } from "./common.js";

const CIDR4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
export const cidr = z.string().refine((value) => {
  const m = CIDR4.exec(value);
  return Boolean(m) && m!.slice(1, 5).every((o) => Number(o) <= 255) && Number(m![5]) <= 32;
}, 'must be an IPv4 CIDR such as "10.231.0.0/16"');

export const meshServerSchema = z.strictObject({
  host: z
    .string()
    .min(1)
    .default("127.0.0.1")
    .describe("Host address the mesh port is published on (127.0.0.1 keeps it off the network)."),
  port: z
    .int()
    .min(1)
    .max(65535)
    .default(8420)
    .describe("Published mesh port (CLI, webhooks, chat ingress)."),
});

export const llmSchema = z.strictObject({
  default_model: modelRef.default("openai/gpt-4o-mini").describe("Model for agents that name none."),
  embedding_model: z
    .string()
    .min(1)
    .default("text-embedding-3-small")
    .describe("Embedding model for memory search."),
  max_tokens: z.int().min(1).max(1_000_000).default(4096).describe("Default per-call output cap."),
  temperature: z.number().min(0).max(2).default(0.7).describe("Default sampling temperature."),
});

export const providerSchema = z.strictObject({
  api: z
    .enum(["openai", "anthropic", "gemini", "openai-compatible"])
    .describe("Wire format the provider speaks."),
  base_url: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe("Base URL (required for openai-compatible)."),
  credential: credentialName
    .optional()
    .describe("Name of the key in .env, without the OPENLEGION_CRED_ prefix."),
});

export const pricingSchema = z.strictObject({
  input_per_mtok: z.number().min(0).describe("USD per million input tokens."),
  output_per_mtok: z.number().min(0).describe("USD per million output tokens."),
  cached_input_per_mtok: z.number().min(0).optional().describe("USD per million cached input tokens."),
});

export const apiSchema = z.strictObject({
  base_url: z.url({ protocol: /^https$/ }).describe("The only base URL the credential is ever sent to."),
  credential: credentialName.describe("Name of the key in .env, without the OPENLEGION_CRED_ prefix."),
  header: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,64}$/)
    .optional()
    .describe("Header that carries the key, e.g. X-Subscription-Token."),
  query: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .optional()
    .describe("Query parameter that carries the key."),
});

export const egressSchema = z.strictObject({
  subnet_pool: cidr.default("10.231.0.0/16").describe("Pool from which each agent network gets a /28."),
  extra_ca_bundle: z.string().optional().describe("PEM bundle trusted by the proxy and image builds."),
  allow_private_cidrs: z
    .array(cidr)
    .default([])
    .describe("Private ranges the forward proxy may reach (default none)."),
});

export const channelSchema = z.strictObject({
  enabled: z.boolean().default(true).describe("Whether the mesh connects this channel."),
  default_agent: agentId.optional().describe("Agent that answers unaddressed messages."),
});

export const channelsSchema = z.strictObject({
  telegram: channelSchema.optional(),
  discord: channelSchema.optional(),
  slack: channelSchema.optional(),
  whatsapp: channelSchema.optional(),
});

export const webhookSchema = z.strictObject({
  name: name.describe("URL segment: POST /webhook/<name>."),
  agent: agentId.describe("Agent that receives the payload."),
  message: z.string().max(10_000).optional().describe("Message template; {payload} is replaced."),
  workflow: z.string().optional().describe("Workflow to start instead of messaging an agent."),
  secret: credentialName.optional().describe("Name of the HMAC secret in .env (OPENLEGION_CRED_<name>)."),
});

export const scheduleSchema = z
  .strictObject({
    name: name.describe("Schedule id."),
    agent: agentId.optional().describe("Agent that receives the message (not needed with workflow)."),
    workflow: z.string().optional().describe("Workflow to start on each run instead of messaging an agent."),
    cron: z.string().min(9).max(100).optional().describe('5-field cron, e.g. "0 9 * * 1-5".'),
    every: z
      .string()
      .regex(/^every \d+(m|h|d)$/, 'every must look like "every 30m"')
      .optional()
      .describe('Interval, e.g. "every 30m".'),
    timezone: z.string().default("UTC").describe("IANA time zone for cron."),
    message: z.string().min(1).max(10_000).optional().describe("Message sent on each run (with agent)."),
    jitter: duration.optional().describe("Spread each fire by a fixed per-schedule offset up to this long."),
    catch_up: z
      .enum(["skip", "run_once", "all"])
      .default("skip")
      .describe("Runs missed while the mesh was down: skip them, run once, or run all (bounded)."),
  })
  .refine((s) => Boolean(s.cron) !== Boolean(s.every), {
    message: "a schedule needs exactly one of cron or every",
  })
  .refine((s) => s.workflow !== undefined || (s.agent !== undefined && s.message !== undefined), {
    message: "a schedule needs workflow, or agent and message",
  });

export const heartbeatSchema = z.strictObject({
  agent: agentId.describe("Agent the heartbeat belongs to."),
  every: duration.default("15m").describe("Probe interval."),
  probes: z
    .array(z.enum(["disk", "signals", "tasks", "inbox"]))
    .default(["disk", "signals", "tasks"])
    .describe("Cheap probes run before waking the agent."),
});

export const meshFileSchema = z.strictObject({
  mesh: meshServerSchema.prefault({}).describe("Mesh server."),
  llm: llmSchema.prefault({}).describe("LLM defaults."),
  providers: z
    .record(name, providerSchema)
    .default({})
    .describe("Extra or overridden LLM providers by name."),
  pricing: z.record(modelRef, pricingSchema).default({}).describe("Price overrides by provider/model."),
  apis: z.record(name, apiSchema).default({}).describe("Keyed non-LLM APIs agents may use via allowed_apis."),
  egress: egressSchema.prefault({}).describe("Egress proxy and network settings."),
  channels: channelsSchema.prefault({}).describe("Chat channels."),
  webhooks: z.array(webhookSchema).max(256).default([]).describe("Named webhooks."),
  schedules: z.array(scheduleSchema).max(1024).default([]).describe("Cron and interval schedules."),
  heartbeats: z.array(heartbeatSchema).max(256).default([]).describe("Probe-first heartbeats."),
});

export type MeshFile = z.output<typeof meshFileSchema>;
export type ProviderConfig = z.output<typeof providerSchema>;
export type ScheduleConfig = z.output<typeof scheduleSchema>;
export type WebhookConfig = z.output<typeof webhookSchema>;
