import { z } from "zod";
import { agentId, glob, name } from "./common.js";

/** One agent's grants. Everything is default-deny: an absent key grants nothing. */
export const agentPermissionsSchema = z.strictObject({
  can_message: z
    .array(z.union([agentId, z.literal("*")], { error: 'can_message lists agent ids, or "*" for any agent' }))
    .default([])
    .describe('Agents this agent may send messages to; "*" means any agent of the fleet.'),
  can_publish: z.array(glob).default([]).describe("Pub/sub topics (globs) this agent may publish to."),
  can_subscribe: z.array(glob).default([]).describe("Pub/sub topics (globs) this agent may subscribe to."),
  blackboard_read: z
    .array(glob)
    .default([])
    .describe('Blackboard key globs the agent may read, e.g. "tasks/*".'),
  blackboard_write: z
    .array(glob)
    .default([])
    .describe('Blackboard key globs the agent may write, e.g. "context/prospect_*".'),
  can_schedule: z
    .boolean()
    .default(false)
    .describe("Whether the agent may create its own schedules (set_cron). Default false."),
  allowed_apis: z
    .array(name)
    .default([])
    .describe(
      'Keyed APIs the proxy may call for the agent: "llm" plus names from mesh.yaml `apis`, e.g. "brave_search".',
    ),
});

export const permissionsFileSchema = z
  .record(agentId, agentPermissionsSchema)
  .describe("Grants by agent id.");

export type AgentPermissions = z.output<typeof agentPermissionsSchema>;
export type PermissionsFile = z.output<typeof permissionsFileSchema>;
