import { z } from "zod";
import { agentId, duration, WORKFLOW_ID_PATTERN } from "./primitives.js";

/**
 * Workflow files accept the seed's format verbatim (`trigger`, `timeout` in seconds, `task_type`,
 * `input_from: trigger.payload`, `condition`) and the richer v1 schema of research/mesh.md §1.3
 * (`when`, `trigger_rule`, `retry`, handlers, `finally`). Conditions are CEL, checked by the mesh.
 * One schema for both sides: the generator parses workflow files with it, the mesh re-parses the
 * compiled config and API-submitted definitions with it.
 */
export const RESERVED_STEP_IDS = ["inputs", "run", "steps", "trigger", "env", "now"] as const;

export const workflowId = z
  .string()
  .regex(
    WORKFLOW_ID_PATTERN,
    "id must match ^[a-z][a-z0-9_]{0,62}$ (a CEL identifier: underscores, not dashes)",
  );

const stepId = workflowId.refine((id) => !(RESERVED_STEP_IDS as readonly string[]).includes(id), {
  message: `step id is reserved (${RESERVED_STEP_IDS.join(", ")})`,
});

/** Seconds (the seed's `timeout: 600`) or a duration string (`15m`). */
export const timeoutSchema = z.union([
  z
    .int()
    .min(1)
    .max(7 * 86_400),
  duration,
]);

export const retrySchema = z.strictObject({
  max_attempts: z
    .int()
    .min(1, "max_attempts counts the first attempt, so it is at least 1")
    .max(20)
    .default(1),
  backoff: z
    .strictObject({
      initial: duration.default("10s"),
      factor: z.number().min(1).max(10).default(2),
      max: duration.default("5m"),
      jitter: z.enum(["full", "equal", "none"]).default("full"),
    })
    .prefault({}),
  retry_on: z
    .array(z.enum(["error", "timeout", "agent_unavailable"]))
    .default(["error", "timeout", "agent_unavailable"]),
});

export const TRIGGER_RULES = [
  "all_success",
  "none_failed",
  "none_failed_min_one_success",
  "one_success",
  "one_failed",
  "all_failed",
  "all_done",
] as const;

/**
 * The seed's failure policies, accepted in `on_failure` when no handler has that name: `abort` (the
 * default: the step fails), `skip` (= continue_on_error), `retry` (with `max_retries`, backoff 1 s
 * doubling) and `fallback` (re-run once on `fallback_agent`).
 */
export const SEED_FAILURE_POLICIES = ["abort", "skip", "retry", "fallback"] as const;

/** `input_from: blackboard://<key>`: the step input is that entry's value; `{name}` comes from the trigger payload. */
export const BLACKBOARD_INPUT_PREFIX = "blackboard://";

export const STEP_ACTIONS = ["prompt", "tool", "http", "wait", "approval", "noop", "notify"] as const;

const stepFields = {
  id: stepId,
  agent: agentId.optional(),
  action: z.enum(STEP_ACTIONS).default("prompt"),
  task_type: z.string().max(200).optional(),
  input: z.record(z.string(), z.unknown()).optional(),
  input_from: z.union([z.string().min(1), z.record(z.string(), z.string().min(1))]).optional(),
  result_schema: z.record(z.string(), z.unknown()).optional(),
  timeout: timeoutSchema.optional(),
  deadline: duration.optional(),
  retry: retrySchema.optional(),
  idempotent: z.boolean().optional(),
  on_interrupt: z.enum(["fail", "retry", "ask_owner"]).optional(),
  on_failure: workflowId.optional(),
  fallback_agent: agentId.optional(),
  max_retries: z.int().min(0).max(19).optional(),
  continue_on_error: z.boolean().default(false),
};

export const stepSchema = z.strictObject({
  ...stepFields,
  depends_on: z.array(stepId).default([]),
  trigger_rule: z.enum(TRIGGER_RULES).default("all_success"),
  when: z.string().min(1).max(4096).optional(),
  condition: z.string().min(1).max(4096).optional(),
});

export const handlerSchema = z.strictObject({
  ...stepFields,
  when: z.string().min(1).max(4096).optional(),
});

export const workflowInputSchema = z.strictObject({
  type: z.enum(["string", "integer", "number", "boolean", "object", "array"]),
  required: z.boolean().default(false),
  default: z.unknown().optional(),
  description: z.string().optional(),
});

export const workflowSchema = z.strictObject({
  apiVersion: z.literal("mesh/v1").optional(),
  kind: z.literal("Workflow").optional(),
  name: workflowId,
  description: z.string().max(2000).optional(),
  trigger: z.string().min(1).max(200).optional().describe("Topic/event that starts a run (seed format)."),
  timeout: timeoutSchema.optional().describe("Whole-run timeout (seed: seconds)."),
  on_complete: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe("Topic: a run that succeeds publishes {workflow, run_id, status, results} to its subscribers."),
  deadline: duration.optional(),
  inputs: z.record(workflowId, workflowInputSchema).default({}),
  fail_fast: z.boolean().default(true),
  max_parallel: z.int().min(1).max(64).default(4),
  concurrency: z
    .strictObject({
      key: z.string().min(1),
      on_conflict: z.enum(["queue", "skip", "cancel_running"]).default("queue"),
    })
    .optional(),
  defaults: z
    .strictObject({
      agent: agentId.optional(),
      timeout: timeoutSchema.optional(),
      retry: retrySchema.optional(),
      idempotent: z.boolean().optional(),
    })
    .default({}),
  steps: z.array(stepSchema).min(1, "a workflow needs at least one step").max(200),
  handlers: z.array(handlerSchema).max(50).default([]),
  on_failure: z.array(workflowId).default([]),
  finally: z.array(handlerSchema).max(50).default([]),
});

export type WorkflowConfig = z.output<typeof workflowSchema>;
export type WorkflowStep = z.output<typeof stepSchema>;
