import type { FastifyInstance } from "fastify";
import { scheduleViewSchema } from "../../../../common/contracts/mesh-api.js";
import { MeshRoutes } from "../../../../common/contracts/mesh-routes.js";
import { route } from "../../../../common/http/route.js";
import { type MeshContext, requireAgent, requirePrincipal } from "../../../context.js";
import { MeshErrors } from "../../../errors.js";
import { principalName } from "../../../identity.js";
import { OrchErrors } from "../errors.js";
import { isNothingToReport } from "../schedule/ack.js";
import type { Scheduler } from "../schedule/scheduler.js";
import { type ScheduleRow, type ScheduleStore, toolOf } from "../schedule/store.js";

export const MAX_AGENT_SCHEDULES = 50;

export const scheduleView = (row: ScheduleRow) =>
  scheduleViewSchema.parse({ ...row, paused: row.paused === 1, tool: toolOf(row) });

/**
 * Schedules over HTTP: the agents' set_cron / list_cron / remove_cron, pause / resume / update by the
 * owning agent or the operator (CLI `openlegion schedule …`), and the agents' run outcomes.
 */
export async function scheduleRoutes(
  app: FastifyInstance,
  ctx: MeshContext,
  deps: { scheduler: Scheduler; schedules: ScheduleStore },
): Promise<void> {
  route(app, MeshRoutes.setCron, async (req, reply) => {
    const agent = requireAgent(req.principal);
    if (!ctx.identity.agent(agent).canSchedule) {
      ctx.audit({
        actor: agent,
        action: "schedule.set",
        target: agent,
        outcome: "denied",
        code: MeshErrors.denied.code,
        detail: {},
      });
      throw MeshErrors.denied("can_schedule is false (default deny): this agent may not create schedules");
    }
    const name = req.body.name ?? `job-${Date.now().toString(36)}`;
    const id = `agent:${agent}:${name}`;
    if (!deps.schedules.get(id) && deps.schedules.countForAgent(agent) >= MAX_AGENT_SCHEDULES)
      throw OrchErrors.scheduleLimit(agent, MAX_AGENT_SCHEDULES);
    const row = deps.scheduler.put({
      id,
      source: "agent",
      agent,
      spec: req.body.schedule,
      timezone: req.body.timezone ?? "UTC",
      message: req.body.message ?? "",
      tool: req.body.tool ?? null,
      workflow: null,
      catch_up: "skip",
      jitter_ms: 0,
    });
    ctx.audit({
      actor: agent,
      action: "schedule.set",
      target: id,
      outcome: "ok",
      code: null,
      detail: { spec: row.spec, tool: row.tool_name },
    });
    return reply.code(201).send(scheduleView(row));
  });

  route(app, MeshRoutes.schedules, async (req) => {
    const p = req.principal;
    const rows = p?.kind === "agent" ? deps.schedules.byAgent(p.id) : deps.schedules.all();
    return { schedules: rows.map(scheduleView) };
  });

  route(app, MeshRoutes.removeCron, async (req) => {
    const agent = requireAgent(req.principal);
    const id = req.params.id.startsWith("agent:") ? req.params.id : `agent:${agent}:${req.params.id}`;
    const row = deps.schedules.get(id);
    if (!row || row.agent !== agent || row.source !== "agent")
      throw OrchErrors.unknownSchedule(req.params.id);
    deps.schedules.remove(id);
    return { removed: id };
  });

  route(app, MeshRoutes.updateSchedule, async (req) => {
    const who = requirePrincipal(req.principal);
    const id =
      who.kind === "agent" && !req.params.id.includes(":")
        ? `agent:${who.id}:${req.params.id}`
        : req.params.id;
    const row = deps.schedules.get(id);
    // Another agent's schedule is reported as unknown: its existence is not the caller's business.
    if (!row || (who.kind === "agent" && (row.agent !== who.id || row.source !== "agent")))
      throw OrchErrors.unknownSchedule(req.params.id);
    const { paused, ...change } = req.body;
    const updated = ctx.store.transaction(() => {
      let current = row;
      if (Object.keys(change).length > 0) {
        if (row.source === "config") throw OrchErrors.scheduleFromConfig(row.id);
        const tool = change.tool ?? (change.message !== undefined ? null : toolOf(row));
        current = deps.scheduler.put({
          id: row.id,
          source: row.source,
          agent: row.agent,
          spec: change.schedule ?? row.spec,
          timezone: change.timezone ?? row.timezone,
          message: change.message ?? (change.tool ? "" : row.message),
          tool,
          workflow: row.workflow,
          catch_up: row.catch_up,
          jitter_ms: row.jitter_ms,
        });
      }
      if (paused !== undefined && (paused ? 1 : 0) !== current.paused)
        current = deps.scheduler.setPaused(current, paused);
      return current;
    });
    ctx.audit({
      actor: principalName(who),
      action: paused === true ? "schedule.pause" : paused === false ? "schedule.resume" : "schedule.update",
      target: row.id,
      outcome: "ok",
      code: null,
      detail: { fields: Object.keys(req.body) },
    });
    return scheduleView(updated);
  });

  route(app, MeshRoutes.runOutcome, async (req) => {
    const agent = requireAgent(req.principal);
    const b = req.body;
    const recorded: "error" | "nothing_to_report" | "ok" = !b.ok
      ? "error"
      : isNothingToReport(b.reply)
        ? "nothing_to_report"
        : "ok";
    if (b.schedule !== undefined) {
      const row = deps.schedules.get(b.schedule);
      if (!row || row.agent !== agent) throw OrchErrors.unknownSchedule(b.schedule);
      if (recorded === "error") deps.schedules.recordError(row.id, b.error ?? "the run failed");
      else deps.schedules.recordOutcome(row.id, recorded);
    } else if (recorded !== "nothing_to_report") {
      // A heartbeat wake that found something (or failed) is worth the owner's attention; an ack is not.
      ctx.audit({
        actor: agent,
        action: recorded === "error" ? "heartbeat.error" : "heartbeat.report",
        target: agent,
        outcome: recorded === "error" ? "error" : "ok",
        code: null,
        detail: { text: (b.error ?? b.reply).slice(0, 500) },
      });
    }
    return { recorded };
  });
}
