import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { workflowResultSchema } from "../../../../common/contracts/mesh-api.js";
import { type MeshContext, requireAgent } from "../../../context.js";
import type { Json } from "../cel.js";
import { OrchErrors } from "../errors.js";
import type { WorkflowRunner } from "../workflow/runner.js";
import type { WorkflowStore } from "../workflow/store.js";
import type { Snapshot } from "../workflow/types.js";
import { RESULT_PATH } from "./sink.js";

const json = z.json();
const stepView = z.object({
  id: z.string(),
  kind: z.string(),
  status: z.string(),
  conclusion: z.string().nullable(),
  reason: z.string().nullable(),
  attempt: z.int(),
  error: z.object({ kind: z.string(), message: z.string() }).nullable(),
  started_at: z.int().nullable(),
  finished_at: z.int().nullable(),
  next_attempt_at: z.int().nullable(),
  result: json.nullable(),
});
const runView = z.object({
  id: z.string(),
  workflow: z.string(),
  definition_hash: z.string(),
  status: z.string(),
  phase: z.string(),
  trigger: z.object({ kind: z.string(), name: z.string() }),
  started_at: z.int(),
  finished_at: z.int().nullable(),
  deadline_at: z.int(),
});
const queuedView = z.object({
  id: z.string(),
  workflow: z.string(),
  status: z.literal("queued"),
  /** 1-based place among the runs waiting for the same concurrency key. */
  position: z.int(),
});
const runDetail = runView.extend({
  steps: z.array(stepView),
  events: z.array(
    z.object({
      seq: z.int(),
      type: z.string(),
      step_id: z.string().nullable(),
      data: json.nullable(),
      at: z.int(),
    }),
  ),
});

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

/** Operator API for workflows (CLI `workflow run|list|show|approve`) and the agents' result route. */
export async function workflowRoutes(
  app: FastifyInstance,
  ctx: MeshContext,
  runner: WorkflowRunner,
  store: WorkflowStore,
): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get("/v1/workflows", {
    schema: {
      response: {
        200: z.object({
          workflows: z.array(
            z.object({
              name: z.string(),
              trigger: z.string().nullable(),
              steps: z.int(),
              definition_hash: z.string(),
            }),
          ),
        }),
      },
    },
    handler: async () => ({
      workflows: [...runner.workflows.values()].map((w) => ({
        name: w.def.name,
        trigger: w.def.trigger,
        steps: w.def.steps.length,
        definition_hash: w.hash,
      })),
    }),
  });

  r.post("/v1/workflows/:name/runs", {
    schema: {
      params: z.object({ name: z.string().max(64) }),
      body: z.strictObject({ inputs: z.record(z.string(), json).default({}) }),
      response: { 201: runView, 202: queuedView },
    },
    handler: async (req, reply) => {
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
        code: out.state === "skipped" ? "OL_ERR_ORCH_CONCURRENCY_SKIPPED" : null,
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
    },
  });

  r.get("/v1/workflow-runs", {
    schema: {
      querystring: z.object({
        workflow: z.string().max(64).optional(),
        status: z.string().max(20).optional(),
        limit: z.coerce.number().int().min(1).max(500).default(50),
      }),
      response: { 200: z.object({ runs: z.array(runView) }) },
    },
    handler: async (req) => ({
      runs: store.list(req.query).map((row) => {
        const run = store.runFromRow(row);
        return view({ run, steps: [] });
      }),
    }),
  });

  r.get("/v1/workflow-runs/:id", {
    schema: { params: z.object({ id: z.string().max(64) }), response: { 200: runDetail } },
    handler: async (req) => {
      const snap = store.load(req.params.id);
      if (!snap) throw OrchErrors.unknownRun(req.params.id);
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
        })),
        events: store.events(snap.run.id, 500),
      };
    },
  });

  r.post("/v1/workflow-runs/:id/steps/:step/decision", {
    schema: {
      params: z.object({ id: z.string().max(64), step: z.string().max(200) }),
      body: z.strictObject({ approve: z.boolean(), comment: z.string().max(2000).optional() }),
      response: { 200: runView },
    },
    handler: async (req) => {
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
    },
  });

  r.post("/v1/workflow-runs/:id/cancel", {
    schema: { params: z.object({ id: z.string().max(64) }), response: { 200: runView } },
    handler: async (req) => view(runner.handle(req.params.id, { type: "cancel", by: "operator" })),
  });

  r.post(RESULT_PATH, {
    config: { auth: "agent" },
    schema: {
      body: workflowResultSchema,
      response: { 200: z.object({ accepted: z.boolean(), run_id: z.string(), step_id: z.string() }) },
    },
    handler: async (req) => {
      const agent = requireAgent(req.principal);
      const b = req.body;
      return runner.report(
        b.dispatch_key,
        agent,
        b.ok ? { ok: true, result: b.result as Json } : { ok: false, error: b.error },
      );
    },
  });
}
