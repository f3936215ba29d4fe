import { z } from "zod";
import { channelsSchema } from "../../../services/common/contracts/fleet/channels.js";
import {
  heartbeatSchema,
  scheduleSchema,
  webhookSchema,
} from "../../../services/common/contracts/fleet/triggers.js";
import { parseIpv4Cidr } from "../../../services/common/ipv4-cidr.js";
import { agentId, credentialName, modelRef, name } from "./common.js";

export { channelSchema, channelsSchema } from "../../../services/common/contracts/fleet/channels.js";
export {
  heartbeatSchema,
  type ScheduleConfig,
  scheduleSchema,
  type WebhookConfig,
  webhookSchema,
} from "../../../services/common/contracts/fleet/triggers.js";

export const cidr = z
  .string()
  .refine((value) => parseIpv4Cidr(value) !== undefined, 'must be an IPv4 CIDR such as "10.231.0.0/16"');

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
  headers: z
    .record(
      z.enum(["openai-organization", "openai-project", "anthropic-beta"]),
      z.string().regex(/^[\x21-\x7e][\x20-\x7e]{0,255}$/),
    )
    .optional()
    .describe("Account and feature headers the proxy sets on every call (agents cannot set them)."),
  local: z
    .boolean()
    .optional()
    .describe(
      "Models served on your own hardware: their calls cost 0 unless `pricing:` names them (default true for a provider named ollama).",
    ),
});

export const pricingSchema = z.strictObject({
  input_per_mtok: z.number().min(0).describe("USD per million input tokens."),
  output_per_mtok: z.number().min(0).describe("USD per million output tokens."),
  cached_input_per_mtok: z.number().min(0).optional().describe("USD per million cached input tokens."),
  tool_call_usd: z
    .record(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/), z.number().min(0))
    .optional()
    .describe("USD per call of provider-side tools granted in egress.grants."),
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

export const egressGrantSchema = z.strictObject({
  llm_endpoints: z
    .array(
      z.string().regex(/^(GET|POST|DELETE) [A-Za-z0-9_.\-/*?:@]+$/, 'must be "GET|POST|DELETE <path glob>"'),
    )
    .default([])
    .describe('Extra provider endpoints, e.g. "GET v1/files" (path after /llm/<provider>/).'),
  server_tools: z
    .array(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/))
    .default([])
    .describe(
      "Provider-side tools the agent may request (web_search_preview, googleSearch, …), billed per call.",
    ),
});

export const egressSchema = z.strictObject({
  subnet_pool: cidr
    .default("10.231.0.0/16")
    .describe("Pool for the fleet's networks (a /28 per agent); each fleet on one host needs its own pool."),
  extra_ca_bundle: z
    .string()
    .min(1)
    .optional()
    .describe(
      "PEM bundle (path relative to the fleet dir) the proxy trusts for upstream TLS besides the system roots.",
    ),
  allow_private_cidrs: z
    .array(cidr)
    .default([])
    .describe("Private ranges the forward proxy may reach (default none)."),
  grants: z
    .record(agentId, egressGrantSchema)
    .default({})
    .describe("Per-agent LLM door grants beyond inference (default none)."),
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
