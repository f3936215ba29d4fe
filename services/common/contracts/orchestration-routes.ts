import { z } from "zod";
import { endpoint, routeTable } from "./contract.js";
import {
  heartbeatRequestSchema,
  heartbeatViewSchema,
  runOutcomeSchema,
  scheduleListSchema,
  scheduleRemovedSchema,
  scheduleUpdateSchema,
  scheduleViewSchema,
  setCronRequestSchema,
  workflowResultSchema,
} from "./mesh-api.js";

/**
 * The mesh's orchestration routes (docs/workflows.md): workflows and runs for the operator (CLI
 * `workflow …`), step results, schedules and heartbeats for agents, webhooks. Each view is declared
 * once here; the mesh serializes through it and the CLI parses with it.
 */
const json = z.json();

export const workflowStepViewSchema = z.object({
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
  /** Blackboard keys the step's result promoted (`{"result": …, "promote": {…}}`), with the version written. */
  promoted: z.array(z.object({ key: z.string(), version: z.int() })).default([]),
});

export const workflowRunViewSchema = z.object({
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
export type WorkflowRunView = z.output<typeof workflowRunViewSchema>;

/** A run waiting behind another with the same concurrency key (`on_conflict: queue`). */
export const queuedRunViewSchema = z.object({
  id: z.string(),
  workflow: z.string(),
  status: z.literal("queued"),
  /** 1-based place among the runs waiting for the same concurrency key. */
  position: z.int(),
});

export const workflowRunDetailSchema = workflowRunViewSchema.extend({
  steps: z.array(workflowStepViewSchema),
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
export type WorkflowRunDetail = z.output<typeof workflowRunDetailSchema>;

const runParams = z.object({ id: z.string().max(64) });

export const OrchestrationRoutes = routeTable({
  workflows: endpoint("GET", "/v1/workflows", "operator", {
    response: {
      200: z.object({
        workflows: z.array(
          z.object({
            name: z.string(),
            trigger: z.string().nullable(),
            steps: z.int(),
            definition_hash: z.string(),
            /** The steps as a DAG (the dashboard draws it): each step's id and the ids it waits for. */
            graph: z.array(z.object({ id: z.string(), depends_on: z.array(z.string()) })),
          }),
        ),
      }),
    },
  }),
  startRun: endpoint("POST", "/v1/workflows/:name/runs", "operator", {
    params: z.object({ name: z.string().max(64) }),
    body: z.strictObject({ inputs: z.record(z.string(), json).default({}) }),
    response: { 201: workflowRunViewSchema, 202: queuedRunViewSchema },
  }),
  runs: endpoint("GET", "/v1/workflow-runs", "operator", {
    query: z.object({
      workflow: z.string().max(64).optional(),
      status: z.string().max(20).optional(),
      limit: z.coerce.number().int().min(1).max(500).default(50),
    }),
    response: { 200: z.object({ runs: z.array(workflowRunViewSchema) }) },
  }),
  run: endpoint("GET", "/v1/workflow-runs/:id", "operator", {
    params: runParams,
    response: { 200: workflowRunDetailSchema },
  }),
  decide: endpoint("POST", "/v1/workflow-runs/:id/steps/:step/decision", "operator", {
    params: z.object({ id: z.string().max(64), step: z.string().max(200) }),
    body: z.strictObject({ approve: z.boolean(), comment: z.string().max(2000).optional() }),
    response: { 200: workflowRunViewSchema },
  }),
  cancelRun: endpoint("POST", "/v1/workflow-runs/:id/cancel", "operator", {
    params: runParams,
    response: { 200: workflowRunViewSchema },
  }),
  /** The agent restarted: every running attempt sent to it is re-sent now under the same dispatch key. */
  resendOpenSteps: endpoint("POST", "/v1/workflows/resend", "agent", {
    response: { 200: z.object({ resent: z.int() }) },
  }),
  stepResult: endpoint("POST", "/v1/workflows/results", "agent", {
    body: workflowResultSchema,
    response: { 200: z.object({ accepted: z.boolean(), run_id: z.string(), step_id: z.string() }) },
  }),

  // ── the agents' set_cron / list_cron / remove_cron and set_heartbeat ──
  setCron: endpoint("POST", "/v1/schedules", "agent", {
    body: setCronRequestSchema,
    response: { 201: scheduleViewSchema },
  }),
  schedules: endpoint("GET", "/v1/schedules", "any", { response: { 200: scheduleListSchema } }),
  removeCron: endpoint("DELETE", "/v1/schedules/:id", "agent", {
    params: z.object({ id: z.string().max(200) }),
    response: { 200: scheduleRemovedSchema },
  }),
  /** Pause, resume or change a schedule: its owning agent (its own schedules) or the operator (any). */
  updateSchedule: endpoint("PUT", "/v1/schedules/:id", "any", {
    params: z.object({ id: z.string().max(200) }),
    body: scheduleUpdateSchema,
    response: { 200: scheduleViewSchema },
  }),
  /** The agent reports how a scheduled run or heartbeat wake went (errors counted, acks dropped). */
  runOutcome: endpoint("POST", "/v1/schedules/outcome", "agent", {
    body: runOutcomeSchema,
    response: { 200: z.object({ recorded: z.enum(["ok", "nothing_to_report", "error"]) }) },
  }),
  setHeartbeat: endpoint("PUT", "/v1/heartbeat", "agent", {
    body: heartbeatRequestSchema,
    response: { 200: heartbeatViewSchema },
  }),

  // ── webhooks ──
  webhooks: endpoint("GET", "/v1/webhooks", "operator", {
    response: {
      200: z.object({
        webhooks: z.array(
          z.object({
            name: z.string(),
            path: z.string(),
            target: z.string(),
            generation: z.int(),
            /** Accepted deliveries (duplicates not counted), persisted across restarts. */
            deliveries: z.int(),
            last_delivery_at: z.int().nullable(),
          }),
        ),
      }),
    },
  }),
  rotateWebhook: endpoint("POST", "/v1/webhooks/:name/rotate", "operator", {
    params: z.object({ name: z.string().max(64) }),
    response: { 200: z.object({ name: z.string(), generation: z.int(), previous_valid_until: z.int() }) },
  }),
  /** Signed by HMAC instead of a token: the raw body (≤ 1 MiB) is verified before it is parsed. */
  webhook: endpoint("POST", "/webhook/hook/:name", "none", {
    params: z.object({ name: z.string() }),
    bodyLimit: 1_048_576,
    response: {
      202: z.object({ accepted: z.literal(true), duplicate: z.boolean(), run_id: z.string().nullable() }),
    },
  }),
});
