import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { heartbeatRequestSchema, heartbeatViewSchema } from "../../../../common/contracts/mesh-api.js";
import { type MeshContext, requireAgent } from "../../../context.js";
import { OrchErrors } from "../errors.js";
import { type HeartbeatLoop, heartbeatInterval } from "../heartbeat/loop.js";

/** `PUT /v1/heartbeat` (the agent's set_heartbeat): persisted, applied by the heartbeat loop at once. */
export async function heartbeatRoutes(
  app: FastifyInstance,
  ctx: MeshContext,
  loop: HeartbeatLoop,
): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.put("/v1/heartbeat", {
    config: { auth: "agent" },
    schema: { body: heartbeatRequestSchema, response: { 200: heartbeatViewSchema } },
    handler: async (req) => {
      const agent = requireAgent(req.principal);
      const { schedule, enabled, probes } = req.body;
      const every = schedule === undefined ? undefined : heartbeatInterval(schedule);
      if (schedule !== undefined && every === undefined)
        throw OrchErrors.badSchedule(schedule, "a heartbeat interval is 1 minute to 24 hours");
      const s = loop.set(agent, {
        ...(enabled === undefined ? {} : { enabled }),
        ...(every === undefined ? {} : { every_ms: every }),
        ...(probes === undefined ? {} : { probes }),
      });
      ctx.audit({
        actor: agent,
        action: "heartbeat.set",
        target: agent,
        outcome: "ok",
        code: null,
        detail: { enabled: s.enabled, every_ms: s.every_ms, probes: s.probes },
      });
      return { ...s, next_at: loop.nextAt(agent) };
    },
  });
}
