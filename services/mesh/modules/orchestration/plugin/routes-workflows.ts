import type { FastifyInstance } from "fastify";
import { MeshRoutes } from "../../../../common/contracts/mesh-routes.js";
import { route } from "../../../../common/http/route.js";
import { type MeshContext, requireAgent } from "../../../context.js";
import type { BlackboardService } from "../../blackboard/service.js";
import type { Json } from "../cel.js";
import { OrchErrors } from "../errors.js";
import { splitPromotion } from "../workflow/promote.js";
import { validateResult } from "../workflow/result-schema.js";
import type { WorkflowRunner } from "../workflow/runner.js";
import type { WorkflowStore } from "../workflow/store.js";
import type { Snapshot } from "../workflow/types.js";
import { promote } from "./board.js";

const view = (s: Snapshot) => ({
  id: s.run.id,
  workflow: s.run.workflow,
  definition_hash: s.run.definition_hash,
  status: s.run.status,
  phase: s.run.phase,
  trigger: { kind: s.run.trigger.kind, name: s.run.trigger.name },
  started_at: s.run.started_at,
  finished_at: s.run.finished_at,
  deadline_at: s.run.deadline_at,
});

/** The blackboard keys a step promoted, from its `step_promoted` run events. */
function promotedOf(events: { type: string; step_id: string | null; data: Json | null }[], step: string) {
  const out: { key: string; version: number }[] = [];
  for (const e of events) {
    if (e.type !== "step_promoted" || e.step_id !== step) continue;
    const keys = (e.data as { keys?: { key: string; version: number }[] } | null)?.keys ?? [];
    out.push(...keys);
  }
  return out;
}

/** Operator API for workflows (CLI `workflow run|list|show|approve`) and the agents' result route. */
export async function workflowRoutes(
  app: FastifyInstance,
  ctx: MeshContext,
  runner: WorkflowRunner,
  store: WorkflowStore,
  board: () => BlackboardService,
): Promise<void> {
  route(app, MeshRoutes.workflows, async () => ({
    workflows: [...runner.workflows.values()].map((w) => ({
      name: w.def.name,
      trigger: w.def.trigger,
      steps: w.def.steps.length,
      definition_hash: w.hash,
      graph: w.def.steps.map((s) => ({ id: s.id, depends_on: s.depends_on })),
    })),
  }));

  route(app, MeshRoutes.startRun, async (req, reply) => {
    const out = runner.start(req.params.name, req.body.inputs as Record<string, Json>, {
      kind: "manual",
      name: "operator",
      payload: null,
    });
    ctx.audit({
      actor: "operator",
      action: "workflow.run",
      target: req.params.name,
      outcome: out.state === "skipped" ? "error" : "ok",
      code: out.state === "skipped" ? OrchErrors.concurrencySkipped.code : null,
      detail: { run: out.run_id, state: out.state },
    });
    if (out.state === "skipped") throw OrchErrors.concurrencySkipped(req.params.name, out.blocking);
    if (out.state === "queued")
      return reply.code(202).send({
        id: out.run_id,
        workflow: req.params.name,
        status: "queued" as const,
        position: out.position,
      });
    return reply.code(201).send(view(out.snapshot));
  });

  route(app, MeshRoutes.runs, async (req) => ({
    runs: store.list(req.query).map((row) => view({ run: store.runFromRow(row), steps: [] })),
  }));

  route(app, MeshRoutes.run, async (req) => {
    const snap = store.load(req.params.id);
    if (!snap) throw OrchErrors.unknownRun(req.params.id);
    const events = store.events(snap.run.id, 500);
    return {
      ...view(snap),
      steps: snap.steps.map((s) => ({
        id: s.id,
        kind: s.kind,
        status: s.status,
        conclusion: s.conclusion,
        reason: s.reason,
        attempt: s.attempt,
        error: s.error,
        started_at: s.started_at,
        finished_at: s.finished_at,
        next_attempt_at: s.next_attempt_at,
        result: s.result,
        promoted: promotedOf(events, s.id),
      })),
      events,
    };
  });

  route(app, MeshRoutes.decide, async (req) => {
    const { approve, comment } = req.body;
    const snap = runner.handle(req.params.id, {
      type: "decision",
      step: req.params.step,
      approve,
      by: "operator",
      comment,
    });
    ctx.audit({
      actor: "operator",
      action: approve ? "workflow.approve" : "workflow.reject",
      target: req.params.id,
      outcome: "ok",
      code: null,
      detail: { step: req.params.step },
    });
    return view(snap);
  });

  route(app, MeshRoutes.cancelRun, async (req) =>
    view(runner.handle(req.params.id, { type: "cancel", by: "operator" })),
  );

  // A restarted agent asks once at boot: what it was running died with the old process (issue 23 item 3).
  route(app, MeshRoutes.resendOpenSteps, async (req) => ({
    resent: runner.agentRestarted(requireAgent(req.principal)),
  }));

  route(app, MeshRoutes.stepResult, async (req) => {
    const agent = requireAgent(req.principal);
    const b = req.body;
    if (!b.ok) return runner.report(b.dispatch_key, agent, { ok: false, error: b.error });
    const { result, promote: promotions } = splitPromotion(b.result as Json);
    const def = promotions.length > 0 ? runner.currentStep(b.dispatch_key, agent) : null;
    // Promote only for a result that counts: the current attempt, and one its result_schema accepts.
    if (!def || (def.result_schema !== null && validateResult(def.result_schema, result).length > 0))
      return runner.report(b.dispatch_key, agent, { ok: true, result });
    const out = await promote(ctx, board(), agent, promotions);
    if ("refused" in out)
      return runner.report(b.dispatch_key, agent, {
        ok: false,
        error: { kind: "validation", message: out.refused.slice(0, 4000) },
      });
    return runner.report(b.dispatch_key, agent, { ok: true, result, promoted: out.written });
  });
}
