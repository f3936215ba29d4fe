import { z } from "zod";

/**
 * What `openlegion render` writes to compose/mesh/config.json and the mesh reads at boot.
 * Fleet-level sections (workflows, schedules, …) reuse the config schemas' output shapes as JSON.
 */
export const meshPermissionsSchema = z.strictObject({
  can_message: z.array(z.string()),
  can_publish: z.array(z.string()),
  can_subscribe: z.array(z.string()),
  blackboard_read: z.array(z.string()),
  blackboard_write: z.array(z.string()),
  allowed_apis: z.array(z.string()),
  /** May create schedules (set_cron); absent = false (default deny). */
  can_schedule: z.boolean().optional(),
});

export const meshAgentSchema = z.strictObject({
  role: z.string(),
  /** The agent's own /28; requests bearing its token from elsewhere are refused. */
  subnet: z.string(),
  /** Bumped by `agent remove` (absent = 0): tokens of an earlier generation are refused. */
  token_generation: z.int().min(0).optional(),
  /** Base URL the mesh calls the agent at, e.g. http://agent-researcher:8400 */
  url: z.string(),
  permissions: meshPermissionsSchema,
});

export const meshConfigSchema = z.strictObject({
  version: z.literal(1),
  agents: z.record(z.string(), meshAgentSchema),
  /** Base URL of the egress proxy on the control network; its admin API is under /admin/ (costs, health, kill switch). */
  proxy_admin_url: z.string(),
  workflows: z.array(z.record(z.string(), z.unknown())),
  schedules: z.array(z.record(z.string(), z.unknown())),
  heartbeats: z.array(z.record(z.string(), z.unknown())),
  webhooks: z.array(z.record(z.string(), z.unknown())),
  watchers: z.array(z.record(z.string(), z.unknown())),
  channels: z.record(z.string(), z.record(z.string(), z.unknown())),
});

export type MeshConfig = z.output<typeof meshConfigSchema>;
export type MeshAgent = z.output<typeof meshAgentSchema>;
export type MeshPermissions = z.output<typeof meshPermissionsSchema>;
