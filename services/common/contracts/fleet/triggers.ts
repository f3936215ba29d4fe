import { z } from "zod";
import { agentId, credentialName, duration, name } from "./primitives.js";

/**
 * What starts work besides a message: webhooks, schedules and heartbeats (the `mesh.yaml` sections).
 * Shared by the generator (parses mesh.yaml) and the mesh (re-checks the compiled config at boot).
 */
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
      .enum(["skip", "once", "run_once", "all"])
      .default("skip")
      .describe(
        "Runs missed while the mesh was down: skip them, run once (`once` or `run_once`), or run all (bounded).",
      ),
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

export type ScheduleConfig = z.output<typeof scheduleSchema>;
export type WebhookConfig = z.output<typeof webhookSchema>;
export type HeartbeatConfig = z.output<typeof heartbeatSchema>;
