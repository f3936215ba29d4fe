import { z } from "zod";

/**
 * The mesh's HTTP contracts shared with the agent runtime (services/agent imports these):
 *  - what agents send to the mesh (blackboard, publish, messages, inbox pull/ack),
 *  - what the mesh sends to agents (inbox push, chat, reset, health), authenticated with the mesh token
 *    (`Authorization: Bearer <meshToken(master)>`, services/common/tokens.ts).
 * Timestamps are epoch milliseconds. Message ids are positive integers, unique per mesh database and
 * stable across redeliveries: agents dedupe on them (delivery is at-least-once).
 */

// ── Agent endpoints the mesh calls ───────────────────────────────────────────────────────────────
export const AGENT_PATHS = { inbox: "/inbox", chat: "/chat", reset: "/reset", health: "/healthz" } as const;

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

export const agentHealthSchema = z.object({ ok: z.boolean() });

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

/** Every mesh error reply. */
export const meshErrorSchema = z.object({
  statusCode: z.int(),
  code: z.string(),
  error: z.string(),
  message: z.string(),
});
