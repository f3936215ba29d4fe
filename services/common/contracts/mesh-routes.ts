import { z } from "zod";
import { mcpApproveBodySchema, mcpApproveReplySchema, mcpServersReplySchema } from "./agent-routes.js";
import { ChannelRoutes } from "./channel-routes.js";
import { endpoint, routeTable } from "./contract.js";
import { DashboardRoutes } from "./dashboard-routes.js";
import {
  agentChatReplySchema,
  agentHistoryQuerySchema,
  agentHistorySchema,
  agentStreamEventSchema,
  auditEntrySchema,
  blackboardEntrySchema,
  blackboardPutSchema,
  blackboardVersionSchema,
  fleetListSchema,
  inboxAckSchema,
  inboxPageSchema,
  laneSchema,
  publishSchema,
  sendMessageSchema,
} from "./mesh-api.js";
import { OrchestrationRoutes } from "./orchestration-routes.js";
import { costsPeriodSchema } from "./proxy-admin-routes.js";

/**
 * The mesh's HTTP API (docs/api.md), agent side and operator side. Shapes shared with the agent
 * runtime live in mesh-api.ts; views only the operator reads are declared here, once.
 */
const idParams = z.object({ id: z.string().max(64) });
/** A blackboard key: the rest of the path (`/v1/blackboard/<key>`). */
const keyParams = z.object({ "*": z.string() });
const ifMatch = z.object({ "if-match": z.string().optional() });
const topicBody = z.strictObject({ topic: z.string().max(256) });
const topicReply = z.object({ topic: z.string(), created: z.boolean() });
const watchBody = z.strictObject({ prefix: z.string().min(1).max(256) });
const watchReply = z.object({ prefix: z.string(), created: z.boolean() });
const queued = z.object({ id: z.int(), to: z.string() });
const payloadBody = z.strictObject({
  payload: z.unknown().refine((v) => v !== undefined, "payload is required"),
  lane: laneSchema.default("followup"),
});

export const agentStatusSchema = z.object({
  id: z.string(),
  role: z.string(),
  health: z.enum(["up", "down"]),
  detail: z.string(),
  checked_at: z.int(),
  pending: z.int(),
  dead: z.int(),
  last_push_error: z.string().nullable(),
  /** The agent's run state from its /healthz (null when it did not say, e.g. down). */
  state: z.enum(["idle", "running", "stopping"]).nullable().optional(),
  /** Runs queued in the agent (not inbox messages: those are `pending`); null when unknown. */
  queue: z.int().nullable().optional(),
});
export type AgentStatus = z.output<typeof agentStatusSchema>;

export const MeshRoutes = routeTable({
  health: endpoint("GET", "/healthz", "none", { response: { 200: z.object({ ok: z.boolean() }) } }),

  // ── blackboard (agents within their permissions, the operator unrestricted) ──
  blackboardRead: endpoint("GET", "/v1/blackboard/*", "any", {
    params: keyParams,
    response: { 200: blackboardEntrySchema },
  }),
  blackboardWrite: endpoint("PUT", "/v1/blackboard/*", "any", {
    params: keyParams,
    headers: ifMatch,
    body: blackboardPutSchema,
    response: { 200: blackboardEntrySchema, 201: blackboardEntrySchema },
  }),
  blackboardDelete: endpoint("DELETE", "/v1/blackboard/*", "any", {
    params: keyParams,
    headers: ifMatch,
    query: z.object({ if_version: z.coerce.number().int().min(0).optional() }),
    response: { 200: z.object({ key: z.string(), version: z.int(), deleted: z.literal(true) }) },
  }),
  blackboardList: endpoint("GET", "/v1/blackboard", "any", {
    /** `limit` defaults to, and may not exceed, the mesh's `list_page` limit. */
    query: z.object({
      prefix: z.string().max(256).default(""),
      after: z.string().max(256).default(""),
      limit: z.coerce.number().int().min(1).max(1000).optional(),
    }),
    response: {
      200: z.object({ entries: z.array(blackboardEntrySchema), next_after: z.string().nullable() }),
    },
  }),
  blackboardVersions: endpoint("GET", "/v1/blackboard-versions/*", "any", {
    params: keyParams,
    query: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(20) }),
    response: { 200: z.object({ versions: z.array(blackboardVersionSchema) }) },
  }),
  /** SSE change feed (`event: ready|change|overflow`, see docs/api.md). */
  watchFeed: endpoint("GET", "/v1/watch", "operator", {
    query: z.object({ prefix: z.string().max(256).default("") }),
  }),
  watchAdd: endpoint("POST", "/v1/watches", "agent", {
    body: watchBody,
    response: { 200: watchReply, 201: watchReply },
  }),
  watchRemove: endpoint("DELETE", "/v1/watches", "agent", {
    query: watchBody,
    response: { 200: z.object({ prefix: z.string(), removed: z.boolean() }) },
  }),
  watchList: endpoint("GET", "/v1/watches", "agent", {
    response: { 200: z.object({ watches: z.array(z.object({ prefix: z.string(), created_at: z.int() })) }) },
  }),

  // ── topics, direct messages, the pull side of the inbox (agents) ──
  subscribe: endpoint("POST", "/v1/subscriptions", "agent", {
    body: topicBody,
    response: { 200: topicReply, 201: topicReply },
  }),
  unsubscribe: endpoint("DELETE", "/v1/subscriptions", "agent", {
    query: topicBody,
    response: { 200: z.object({ topic: z.string(), removed: z.boolean() }) },
  }),
  subscriptions: endpoint("GET", "/v1/subscriptions", "agent", {
    response: { 200: z.object({ topics: z.array(z.string()) }) },
  }),
  publish: endpoint("POST", "/v1/publish", "agent", {
    body: publishSchema,
    response: { 202: z.object({ topic: z.string(), queued: z.int(), runs: z.array(z.string()) }) },
  }),
  sendMessage: endpoint("POST", "/v1/messages", "agent", {
    body: sendMessageSchema,
    response: { 202: queued },
  }),
  inbox: endpoint("GET", "/v1/inbox", "agent", {
    query: z.object({
      after: z.coerce.number().int().min(0).default(0),
      limit: z.coerce.number().int().min(1).max(500).default(100),
    }),
    response: { 200: inboxPageSchema },
  }),
  inboxAck: endpoint("POST", "/v1/inbox/ack", "agent", {
    body: inboxAckSchema,
    response: { 200: z.object({ acked: z.int() }) },
  }),

  // ── the fleet (list_agents, read_agent_history) ──
  agents: endpoint("GET", "/v1/agents", "any", { response: { 200: fleetListSchema } }),
  agentHistory: endpoint("GET", "/v1/agents/:id/history", "any", {
    params: idParams,
    query: agentHistoryQuerySchema,
    response: { 200: agentHistorySchema },
  }),

  // ── the operator (CLI and REPL) ──
  status: endpoint("GET", "/v1/status", "operator", {
    query: z.object({ refresh: z.enum(["0", "1", "true", "false"]).optional() }),
    response: { 200: z.object({ agents: z.array(agentStatusSchema), schema_version: z.int() }) },
  }),
  operatorMessage: endpoint("POST", "/v1/agents/:id/messages", "operator", {
    params: idParams,
    body: payloadBody,
    response: { 202: queued },
  }),
  redeliver: endpoint("POST", "/v1/agents/:id/redeliver", "operator", {
    params: idParams,
    response: { 200: z.object({ id: z.string(), requeued: z.int() }) },
  }),
  /** JSON `{reply}`, or SSE events with `stream: true` / `Accept: text/event-stream`. */
  chat: endpoint("POST", "/v1/agents/:id/chat", "operator", {
    params: idParams,
    body: z.strictObject({
      message: z.string().min(1).max(100_000),
      lane: laneSchema.default("followup"),
      stream: z.boolean().default(false),
    }),
    response: { 200: agentChatReplySchema },
    events: agentStreamEventSchema,
  }),
  broadcast: endpoint("POST", "/v1/broadcast", "operator", {
    body: payloadBody,
    response: { 202: z.object({ ids: z.record(z.string(), z.int()), rejected: z.array(z.string()) }) },
  }),
  reset: endpoint("POST", "/v1/agents/:id/reset", "operator", {
    params: idParams,
    response: { 200: z.object({ id: z.string(), reset: z.literal(true) }) },
  }),
  /** The agent's MCP servers (AgentRoutes.mcpServers, relayed): revision, transport, held tools. */
  mcpServers: endpoint("GET", "/v1/agents/:id/mcp", "operator", {
    params: idParams,
    response: { 200: mcpServersReplySchema },
  }),
  /** Approves a held (changed since pinned) MCP tool of the agent; audited. */
  mcpApprove: endpoint("POST", "/v1/agents/:id/mcp/approve", "operator", {
    params: idParams,
    body: mcpApproveBodySchema,
    response: { 200: mcpApproveReplySchema },
  }),
  /** The proxy's `GET /admin/costs` report (ProxyAdminRoutes.costs), relayed as it came. */
  /** Mesh and proxy re-read config.json now (both also watch it); `openlegion up` calls it after render. */
  reload: endpoint("POST", "/v1/admin/reload", "operator", {
    response: { 200: z.object({ mesh_agents: z.int(), proxy_agents: z.int() }) },
  }),
  costs: endpoint("GET", "/v1/costs", "operator", {
    query: z.object({ period: costsPeriodSchema.default("today") }),
    response: { 200: z.record(z.string(), z.unknown()) },
  }),
  audit: endpoint("GET", "/v1/audit", "operator", {
    query: z.object({
      after: z.coerce.number().int().min(0).default(0),
      limit: z.coerce.number().int().min(1).max(1000).default(100),
      actor: z.string().max(64).optional(),
      outcome: z.enum(["allowed", "denied", "ok", "error"]).optional(),
    }),
    response: { 200: z.object({ entries: z.array(auditEntrySchema), next_after: z.int() }) },
  }),
  /** Prometheus text. */
  metrics: endpoint("GET", "/metrics", "operator"),

  ...OrchestrationRoutes,
  ...ChannelRoutes,
  ...DashboardRoutes,
});
