import { z } from "zod";

/**
 * The mesh's HTTP contracts shared with the agent runtime (services/agent imports these):
 *  - what agents send to the mesh (blackboard, publish, messages, inbox pull/ack),
 *  - what the mesh sends to agents (inbox push, chat, reset, health), authenticated with the mesh token
 *    (`Authorization: Bearer <meshToken(master, agentId)>`: one token per agent, services/common/tokens.ts).
 * Timestamps are epoch milliseconds. Message ids are positive integers, unique per mesh database and
 * stable across redeliveries: agents dedupe on them (delivery is at-least-once).
 */

// ── Agent endpoints the mesh calls (routes: agent-routes.ts) ─────────────────────────────────────
/** followup: queue after the current turn; steer: inject into the running turn; collect: batch into one turn. */
export const laneSchema = z.enum(["followup", "steer", "collect"]);
export type Lane = z.output<typeof laneSchema>;

export const inboxKindSchema = z.enum(["message", "publish", "watch", "broadcast", "operator"]);

export const inboxMessageSchema = z.object({
  id: z.int().positive(),
  kind: inboxKindSchema,
  /** Sending agent id, or "operator" / "mesh". */
  from: z.string(),
  /** Topic for `publish`, key for `watch`, null otherwise. */
  topic: z.string().nullable(),
  lane: laneSchema,
  payload: z.unknown(),
  created_at: z.int(),
  /** Push attempts before this one (0 on first delivery). */
  attempts: z.int().min(0),
});
export type InboxMessage = z.output<typeof inboxMessageSchema>;

/** Body of `POST <agent url>/inbox`: consecutive messages for one agent in id order. 2xx acknowledges all. */
export const inboxDeliverySchema = z.object({ agent: z.string(), messages: z.array(inboxMessageSchema) });
export type InboxDelivery = z.output<typeof inboxDeliverySchema>;

/** Payload of a `watch` message: a blackboard key under a watched prefix changed. Read the value yourself. */
export const watchEventSchema = z.object({
  key: z.string(),
  version: z.int(),
  op: z.enum(["put", "delete", "expire"]),
  by: z.string(),
  prefix: z.string(),
});
export type WatchEvent = z.output<typeof watchEventSchema>;

/** Body of `POST <agent url>/chat`. Accept: application/json → agentChatReply; text/event-stream → SSE. */
export const agentChatRequestSchema = z.object({
  message: z.string().min(1).max(100_000),
  lane: laneSchema,
  from: z.string(),
});
export const agentChatReplySchema = z.object({ reply: z.string() });
export type AgentChatReply = z.output<typeof agentChatReplySchema>;

/**
 * One streamed chat event. On the wire each is an SSE frame `event: <type>\ndata: <JSON of the event>\n\n`;
 * a stream ends with exactly one `done` or `error`.
 */
export const agentStreamEventSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("delta"), text: z.string() }),
  z.object({ type: z.literal("tool"), name: z.string(), status: z.enum(["start", "end", "error"]) }),
  z.object({ type: z.literal("done"), reply: z.string() }),
  z.object({ type: z.literal("error"), code: z.string(), message: z.string() }),
]);
export type AgentStreamEvent = z.output<typeof agentStreamEventSchema>;

/**
 * One custom heartbeat probe declared in the agent's HEARTBEAT.md, as the agent reports it on
 * `/healthz`. The agent evaluates the file kinds itself (a stat, no LLM); the mesh evaluates
 * `blackboard_key` and `inbox_over` from its own database. `error` = the agent could not evaluate it.
 */
export const heartbeatProbeReportSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("file_changed"),
    path: z.string().max(256),
    /** Last modification (epoch ms); null when the file does not exist. */
    mtime_ms: z.number().nullable(),
    error: z.string().max(300).optional(),
  }),
  z.object({
    kind: z.literal("dir_not_empty"),
    path: z.string().max(256),
    /** Entries in the directory (capped at 1000); null when it does not exist. */
    entries: z.int().min(0).nullable(),
    error: z.string().max(300).optional(),
  }),
  z.object({ kind: z.literal("blackboard_key"), key: z.string().max(256) }),
  z.object({ kind: z.literal("inbox_over"), n: z.int().min(1) }),
]);
export type HeartbeatProbeReport = z.output<typeof heartbeatProbeReportSchema>;
export const HEARTBEAT_MD_MAX_PROBES = 16;
/** `heartbeat` on `/healthz`: null when the workspace has no HEARTBEAT.md probe block. */
export const heartbeatReportSchema = z.object({
  probes: z.array(heartbeatProbeReportSchema).max(HEARTBEAT_MD_MAX_PROBES),
  /** Problems in the declaration block (the agent's to fix); each at most 300 characters. */
  errors: z.array(z.string().max(300)).max(HEARTBEAT_MD_MAX_PROBES + 1),
});
export type HeartbeatReport = z.output<typeof heartbeatReportSchema>;

/**
 * `GET <agent>/healthz`. `disk` is the use of the agent's data root (its /data volume); the mesh's
 * heartbeat `disk` probe reads it, and `heartbeat` holds the custom probes of its HEARTBEAT.md. Other
 * fields the agent adds are ignored.
 */
export const agentHealthSchema = z.object({
  ok: z.boolean(),
  heartbeat: heartbeatReportSchema.nullable().optional(),
  disk: z
    .object({
      total_bytes: z.number().min(0),
      free_bytes: z.number().min(0),
      used_pct: z.number().min(0).max(100),
    })
    .nullable()
    .optional(),
});
export type AgentHealth = z.output<typeof agentHealthSchema>;

// ── Mesh endpoints agents call (Authorization: Bearer <agent token>) ─────────────────────────────
export const blackboardEntrySchema = z.object({
  key: z.string(),
  value: z.unknown(),
  version: z.int(),
  updated_by: z.string(),
  updated_at: z.int(),
  expires_at: z.int().nullable(),
});
export type BlackboardEntry = z.output<typeof blackboardEntrySchema>;

export const blackboardPutSchema = z.strictObject({
  value: z.unknown().refine((v) => v !== undefined, "value is required"),
  /** Compare-and-set: the version the caller last read; 0 = the key must not exist. */
  if_version: z.int().min(0).optional(),
  ttl_s: z.int().min(1).optional(),
});

export const blackboardVersionSchema = z.object({
  key: z.string(),
  version: z.int(),
  op: z.enum(["put", "delete"]),
  value: z.unknown(),
  by: z.string(),
  at: z.int(),
});

export const publishSchema = z.strictObject({
  topic: z.string(),
  payload: z.unknown().refine((v) => v !== undefined, "payload is required"),
  lane: laneSchema.default("followup"),
});

export const sendMessageSchema = z.strictObject({
  to: z.string(),
  payload: z.unknown().refine((v) => v !== undefined, "payload is required"),
  lane: laneSchema.default("followup"),
});

export const inboxPageSchema = z.object({
  messages: z.array(inboxMessageSchema),
  /** Pass as `after` to get the next page; equals the input when nothing is left. */
  next_after: z.int().min(0),
});

export const inboxAckSchema = z.strictObject({ ids: z.array(z.int().positive()).min(1).max(1000) });

// ── Fleet, history, schedules and heartbeat (the agent's mesh tools; docs/api.md) ─────────────────
/** One entry of `GET /v1/agents`: no URL, subnet, permissions or token, only what a peer may know. */
export const fleetAgentSchema = z.object({
  id: z.string(),
  role: z.string(),
  /** The caller may send this agent direct messages (`can_message`), and so read its history. */
  can_message: z.boolean(),
  /** The entry is the caller itself. */
  self: z.boolean(),
});
export const fleetListSchema = z.object({ agents: z.array(fleetAgentSchema) });
export type FleetAgent = z.output<typeof fleetAgentSchema>;

/** Query of `GET /v1/agents/:id/history`: newest first, `before` = `next_before` of the previous page. */
export const AGENT_HISTORY_MAX = 200;
export const agentHistoryQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(AGENT_HISTORY_MAX).default(50),
  before: z.coerce.number().int().min(1).optional(),
});
export const AGENT_HISTORY_PREVIEW_CHARS = 2000;
export const agentHistoryEntrySchema = z.object({
  id: z.int().positive(),
  at: z.int(),
  /** `in`: a message to the agent; `out`: a message the agent sent to another agent. */
  direction: z.enum(["in", "out"]),
  kind: inboxKindSchema,
  from: z.string(),
  to: z.string(),
  topic: z.string().nullable(),
  /** The payload as JSON text, cut to AGENT_HISTORY_PREVIEW_CHARS. */
  preview: z.string(),
  truncated: z.boolean(),
});
export const agentHistorySchema = z.object({
  agent: z.string(),
  entries: z.array(agentHistoryEntrySchema),
  /** Pass as `before` for older entries; null when there are none. */
  next_before: z.int().nullable(),
});
export type AgentHistory = z.output<typeof agentHistorySchema>;

/** `POST /v1/schedules` (set_cron): a recurring message to the calling agent. */
/** A tool job: the schedule calls this one tool with these parameters, without waking the model. */
export const toolJobSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  params: z.record(z.string(), z.json()).default({}),
});
export type ToolJob = z.output<typeof toolJobSchema>;

const scheduleSpec = z
  .string()
  .min(1)
  .max(100)
  .describe('5-field cron ("0 9 * * 1-5"), "every 30m" or "at <ISO time>"');

export const setCronRequestSchema = z
  .strictObject({
    schedule: scheduleSpec,
    message: z.string().min(1).max(10_000).optional(),
    tool: toolJobSchema.optional(),
    name: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/)
      .optional(),
    timezone: z.string().max(64).optional().describe("IANA time zone for cron (default UTC)"),
  })
  .refine((b) => (b.message === undefined) !== (b.tool === undefined), {
    message: "give either message (the model runs it) or tool (called without the model), not both",
  });

/** `PUT /v1/schedules/:id` (a partial update) by its owner or the operator: pause, resume, or change what and when. */
export const scheduleUpdateSchema = z
  .strictObject({
    paused: z.boolean().optional(),
    schedule: scheduleSpec.optional(),
    timezone: z.string().max(64).optional(),
    message: z.string().min(1).max(10_000).optional(),
    tool: toolJobSchema.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: "nothing to change" })
  .refine((b) => b.message === undefined || b.tool === undefined, {
    message: "give either message or tool, not both",
  });

/**
 * What the mesh puts in an agent's inbox for one slot of a schedule (`message` kind, topic
 * `schedule/<id>`): the agent runs `text` as a turn, or calls `tool` directly without the model.
 */
export const scheduleFireSchema = z.object({
  type: z.literal("schedule"),
  schedule: z.string(),
  slot: z.string(),
  key: z.string(),
  missed: z.int(),
  text: z.string(),
  tool: toolJobSchema.nullable().default(null),
});
export type ScheduleFire = z.output<typeof scheduleFireSchema>;

/** The agent tells the mesh how a scheduled run (or a heartbeat wake) went. */
export const runOutcomeSchema = z.strictObject({
  /** The schedule id; absent for a heartbeat wake. */
  schedule: z.string().max(200).optional(),
  ok: z.boolean(),
  /** The reply (cut): `HEARTBEAT_OK` and the like mean nothing to report. */
  reply: z.string().max(2000).default(""),
  error: z.string().max(500).optional(),
});
export const scheduleViewSchema = z.object({
  id: z.string(),
  /** Empty for a schedule that starts a workflow without an agent. */
  agent: z.string(),
  workflow: z.string().nullable(),
  spec: z.string(),
  timezone: z.string(),
  next_run_at: z.int().nullable(),
  last_fired_at: z.int().nullable(),
  fires: z.int(),
  missed_total: z.int(),
  source: z.string(),
  paused: z.boolean(),
  /** A tool job (called without the model), or null for a message the model runs. */
  tool: toolJobSchema.nullable(),
  /** Fires that failed (start refused, delivery refused, the agent's run or tool failed). */
  errors: z.int(),
  last_error: z.string().nullable(),
  /** `ok`, `nothing_to_report` (HEARTBEAT_OK and the like) or `error`, as the agent last reported. */
  last_outcome: z.string().nullable(),
});
export type ScheduleView = z.output<typeof scheduleViewSchema>;
export const scheduleListSchema = z.object({ schedules: z.array(scheduleViewSchema) });
export const scheduleRemovedSchema = z.object({ removed: z.string() });

export const HEARTBEAT_PROBES = ["disk", "signals", "tasks", "inbox"] as const;
/** `PUT /v1/heartbeat` (set_heartbeat): omitted fields keep their current (or configured) value. */
export const heartbeatRequestSchema = z.strictObject({
  schedule: z
    .string()
    .regex(/^(every )?\d{1,5}(m|h)$/, 'an interval like "every 15m" or "2h" (1 minute to 24 hours)')
    .optional(),
  enabled: z.boolean().optional(),
  probes: z.array(z.enum(HEARTBEAT_PROBES)).min(1).max(4).optional(),
});
export const heartbeatViewSchema = z.object({
  agent: z.string(),
  enabled: z.boolean(),
  every_ms: z.int(),
  probes: z.array(z.enum(HEARTBEAT_PROBES)),
  /** `config` (mesh.yaml), `agent` (set_heartbeat overrides it) or `default`. */
  source: z.enum(["config", "agent", "default"]),
  next_at: z.int().nullable(),
});
export type HeartbeatView = z.output<typeof heartbeatViewSchema>;

// ── Workflow steps (docs/workflows.md "Agent contract") ───────────────────────────────────────────
/** A dispatch key: sha256 hex, stable across redeliveries of the same step attempt. */
export const dispatchKeySchema = z.string().regex(/^[0-9a-f]{64}$/);
/** Inbox payload (kind `message`, from `mesh`) asking the agent to run one workflow step attempt. */
export const workflowTaskSchema = z.object({
  type: z.literal("workflow_task"),
  dispatch_key: dispatchKeySchema,
  run_id: z.string(),
  step_id: z.string(),
  attempt: z.int().min(0),
  action: z.string().nullish(),
  task_type: z.string().nullish(),
  input: z.unknown(),
  timeout_ms: z.int().positive().nullish(),
  redelivery: z.boolean().optional(),
  reply_to: z.string().optional(),
});
export type WorkflowTask = z.output<typeof workflowTaskSchema>;
/** Inbox payload asking the agent to stop a step attempt (queued or running). */
export const workflowCancelSchema = z.object({
  type: z.literal("workflow_cancel"),
  dispatch_key: dispatchKeySchema,
  run_id: z.string().optional(),
  step_id: z.string().optional(),
  attempt: z.int().optional(),
});
export type WorkflowCancel = z.output<typeof workflowCancelSchema>;
export const WORKFLOW_ERROR_KINDS = ["error", "timeout", "validation"] as const;
export const WORKFLOW_ERROR_MESSAGE_MAX = 4000;
/** Body of `POST /v1/workflows/results`: the agent's answer to a workflow_task. */
export const workflowResultSchema = z.discriminatedUnion("ok", [
  z.strictObject({ dispatch_key: dispatchKeySchema, ok: z.literal(true), result: z.json().default(null) }),
  z.strictObject({
    dispatch_key: dispatchKeySchema,
    ok: z.literal(false),
    error: z.strictObject({
      kind: z.enum(WORKFLOW_ERROR_KINDS).default("error"),
      message: z.string().max(WORKFLOW_ERROR_MESSAGE_MAX),
    }),
  }),
]);
export type WorkflowResult = z.input<typeof workflowResultSchema>;

/** One row of the mesh's audit log (`GET /v1/audit`, and the dashboard's event feed). */
export const auditEntrySchema = z.object({
  id: z.int(),
  at: z.int(),
  actor: z.string(),
  action: z.string(),
  target: z.string(),
  outcome: z.string(),
  code: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()).nullable(),
});
