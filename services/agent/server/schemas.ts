import { z } from "zod";
import { heartbeatReportSchema, laneSchema } from "../../common/contracts/mesh-api.js";
import { taskStatusSchema } from "../state/agent-store.js";

/** Request and response shapes of the agent's own routes (the mesh-facing ones come from mesh-api.ts). */
export const taskRequestSchema = z.strictObject({
  task: z.string().min(1).max(100_000),
  from: z.string().min(1).max(128).default("mesh"),
});

export const idempotencyHeaders = z.object({
  "idempotency-key": z.string().min(1).max(200).optional(),
});

export const taskViewSchema = z.object({
  id: z.string(),
  status: taskStatusSchema,
  reply: z.string(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  calls: z.int(),
  tool_calls: z.int(),
  usage: z.object({ input_tokens: z.int(), output_tokens: z.int() }),
  models: z.array(z.string()),
  from: z.string(),
  created_at: z.int(),
  updated_at: z.int(),
});

export const steerRequestSchema = z.strictObject({
  message: z.string().min(1).max(100_000),
  from: z.string().min(1).max(128).default("operator"),
});

export const steerReplySchema = z.object({ delivered: z.enum(["injected", "queued"]) });

export const chatJsonReplySchema = z.object({
  reply: z.string(),
  status: z.string(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});

export const healthReplySchema = z.object({
  ok: z.boolean(),
  state: z.enum(["idle", "running", "stopping"]),
  queue_length: z.int(),
  current: z.object({ kind: z.enum(["chat", "task"]), id: z.string(), running_ms: z.int() }).nullable(),
  disk: z.object({ total_bytes: z.number(), free_bytes: z.number(), used_pct: z.number() }).nullable(),
  /** Custom probes declared in the workspace's HEARTBEAT.md (null: none declared). */
  heartbeat: heartbeatReportSchema.nullable(),
});

export { laneSchema };
