import { z } from "zod";
import { defineTool } from "../types.js";

/**
 * Schedules live in the mesh (the agent holds no timers that outlive it). Until the mesh's scheduler
 * lands, the mesh stores the request and says so in its answer; these tools relay that answer as is.
 */
export const setCronTool = defineTool({
  name: "set_cron",
  description: 'Schedule a recurring message to yourself: 5-field cron ("0 9 * * 1-5") or "every 30m".',
  input: z.strictObject({
    schedule: z.string().min(1).max(100),
    message: z.string().min(1).max(10_000),
    name: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/)
      .optional(),
  }),
  async run(args, ctx) {
    return (await ctx.mesh.call("POST", "/v1/schedules", args, ctx.signal)).body;
  },
});

export const listCronTool = defineTool({
  name: "list_cron",
  description: "List your scheduled jobs.",
  input: z.strictObject({}),
  async run(_args, ctx) {
    return (await ctx.mesh.call("GET", "/v1/schedules", undefined, ctx.signal)).body;
  },
});

export const removeCronTool = defineTool({
  name: "remove_cron",
  description: "Remove one of your scheduled jobs by id or name.",
  input: z.strictObject({ id: z.string().min(1).max(64) }),
  async run(args, ctx) {
    return (
      await ctx.mesh.call("DELETE", `/v1/schedules/${encodeURIComponent(args.id)}`, undefined, ctx.signal)
    ).body;
  },
});

export const setHeartbeatTool = defineTool({
  name: "set_heartbeat",
  description:
    'Enable or change your heartbeat: cheap probes (disk, pending signals, pending tasks) every interval ("every 15m"); your model is woken only when a probe finds something.',
  input: z.strictObject({
    schedule: z.string().min(1).max(100).optional(),
    enabled: z.boolean().optional(),
    probes: z
      .array(z.enum(["disk", "signals", "tasks"]))
      .max(3)
      .optional(),
  }),
  async run(args, ctx) {
    return (await ctx.mesh.call("PUT", "/v1/heartbeat", args, ctx.signal)).body;
  },
});
