import type { FastifyInstance } from "fastify";
import { MeshRoutes } from "../../../../common/contracts/mesh-routes.js";
import { route } from "../../../../common/http/route.js";
import { type MeshContext, requireAgent } from "../../../context.js";
import { OrchErrors } from "../errors.js";
import { type HeartbeatLoop, heartbeatInterval } from "../heartbeat/loop.js";

/**
 * `PUT /v1/heartbeat` (the agent's set_heartbeat): persisted, applied by the heartbeat loop at once;
 * `GET /v1/agents/:id/heartbeat` shows the operator (the dashboard) an agent's effective setting.
 */
export async function heartbeatRoutes(
  app: FastifyInstance,
  ctx: MeshContext,
  loop: HeartbeatLoop,
): Promise<void> {
  route(app, MeshRoutes.setHeartbeat, async (req) => {
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
  });

  route(app, MeshRoutes.agentHeartbeat, async (req) => {
    const agent = ctx.identity.agent(req.params.id).id;
    return { ...loop.effective(agent), next_at: loop.nextAt(agent) };
  });
}
