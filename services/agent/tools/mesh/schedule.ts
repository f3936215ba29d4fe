import { z } from "zod";
import { heartbeatRequestSchema, setCronRequestSchema } from "../../../common/contracts/mesh-api.js";
import { MeshRoutes } from "../../../common/contracts/mesh-routes.js";
import { defineTool } from "../types.js";

/**
 * Schedules and heartbeats live in the mesh (the agent holds no timers that outlive it): these tools
 * call `POST/GET/DELETE /v1/schedules` and `PUT /v1/heartbeat` with the shared contract's shapes
 * (services/common/contracts/mesh-api.ts) and relay the mesh's answer.
 */
export const setCronTool = defineTool({
  name: "set_cron",
  description:
    'Schedule a recurring message to yourself: 5-field cron ("0 9 * * 1-5", with an optional IANA timezone), "every 30m", or once "at 2026-03-01T09:00:00Z". The same name replaces an existing job. Give either message (you are woken with it) or tool {name, params} (that tool is called with those parameters without waking you).',
  input: setCronRequestSchema,
  async run(args, ctx) {
    return ctx.mesh.call(MeshRoutes.setCron, { body: args }, { signal: ctx.signal });
  },
});

export const listCronTool = defineTool({
  name: "list_cron",
  description: "List your scheduled jobs.",
  input: z.strictObject({}),
  async run(_args, ctx) {
    return ctx.mesh.call(MeshRoutes.schedules, {}, { signal: ctx.signal });
  },
});

export const removeCronTool = defineTool({
  name: "remove_cron",
  description: "Remove one of your scheduled jobs by id or name.",
  input: z.strictObject({ id: z.string().min(1).max(64) }),
  async run(args, ctx) {
    return ctx.mesh.call(MeshRoutes.removeCron, { params: args }, { signal: ctx.signal });
  },
});

export const setHeartbeatTool = defineTool({
  name: "set_heartbeat",
  description:
    'Enable or change your heartbeat: cheap probes (disk, pending signals, pending tasks, inbox depth) every interval ("every 15m", 1 minute to 24 hours); your model is woken only when a probe finds something.',
  input: heartbeatRequestSchema,
  async run(args, ctx) {
    return ctx.mesh.call(MeshRoutes.setHeartbeat, { body: args }, { signal: ctx.signal });
  },
});
