import { z } from "zod";

/**
 * MIRROR of generator/config/schemas/workflows.ts (services may not import generator/). The compiled
 * mesh config carries each workflow as that schema's *output* (defaults applied); the mesh re-parses
 * it here at boot so a hand-edited config.json is still checked. Keep the two in step; the proposal
 * to move the schema into services/common/contracts is in docs/decisions/orchestration.md.
 */
const id = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/);
const agent = z.string().regex(/^[a-z][a-z0-9-]{0,30}$/);
const duration = z.string().regex(/^(\d+)(ms|s|m|h|d)$/);
const timeout = z.union([
  z
    .int()
    .min(1)
    .max(7 * 86_400),
  duration,
]);
export const RESERVED_IDS = ["inputs", "run", "steps", "trigger", "env", "now", "failed_step"] as const;

export const retrySchema = z.strictObject({
  max_attempts: z.int().min(1).max(20).default(1),
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
export type TriggerRule = (typeof TRIGGER_RULES)[number];

export const ACTIONS = ["prompt", "tool", "http", "wait", "approval", "noop", "notify"] as const;

const stepFields = {
  id,
  agent: agent.optional(),
  action: z.enum(ACTIONS).default("prompt"),
  task_type: z.string().max(200).optional(),
  input: z.record(z.string(), z.unknown()).optional(),
  input_from: z.union([z.string().min(1), z.record(z.string(), z.string().min(1))]).optional(),
  result_schema: z.record(z.string(), z.unknown()).optional(),
  timeout: timeout.optional(),
  deadline: duration.optional(),
  retry: retrySchema.optional(),
  idempotent: z.boolean().optional(),
  on_interrupt: z.enum(["fail", "retry", "ask_owner"]).optional(),
  on_failure: id.optional(),
  continue_on_error: z.boolean().default(false),
  when: z.string().min(1).max(4096).optional(),
};

export const stepSchema = z.strictObject({
  ...stepFields,
  depends_on: z.array(id).default([]),
  trigger_rule: z.enum(TRIGGER_RULES).default("all_success"),
  condition: z.string().min(1).max(4096).optional(),
});
export const handlerSchema = z.strictObject(stepFields);

export const workflowSchema = z.strictObject({
  apiVersion: z.literal("mesh/v1").optional(),
  kind: z.literal("Workflow").optional(),
  name: id,
  description: z.string().max(2000).optional(),
  trigger: z.string().min(1).max(200).optional(),
  timeout: timeout.optional(),
  deadline: duration.optional(),
  inputs: z
    .record(
      id,
      z.strictObject({
        type: z.enum(["string", "integer", "number", "boolean", "object", "array"]),
        required: z.boolean().default(false),
        default: z.unknown().optional(),
        description: z.string().optional(),
      }),
    )
    .default({}),
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
      agent: agent.optional(),
      timeout: timeout.optional(),
      retry: retrySchema.optional(),
      idempotent: z.boolean().optional(),
    })
    .default({}),
  steps: z.array(stepSchema).min(1).max(200),
  handlers: z.array(handlerSchema).max(50).default([]),
  on_failure: z.array(id).default([]),
  finally: z.array(handlerSchema).max(50).default([]),
});

export type WorkflowSource = z.output<typeof workflowSchema>;
export type RetrySource = z.output<typeof retrySchema>;
