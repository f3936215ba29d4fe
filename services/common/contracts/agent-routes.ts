import { z } from "zod";
import { endpoint, routeTable } from "./contract.js";
import {
  agentChatReplySchema,
  agentChatRequestSchema,
  agentHealthSchema,
  agentStreamEventSchema,
  inboxDeliverySchema,
} from "./mesh-api.js";

/**
 * The agent server's routes (services/agent/server/routes.ts). Every one needs the mesh's per-agent
 * token (`auth: "mesh"`); the mesh calls /inbox, /chat, /reset and /healthz. The mesh reads replies
 * with the narrower schemas of mesh-api.ts, which these extend.
 */
export const taskStatusSchema = z.enum([
  "queued",
  "running",
  "completed",
  "iteration_limit",
  "tool_limit_reached",
  "loop_detected",
  "cancelled",
  "timeout",
  "failed",
]);
export type TaskStatus = z.output<typeof taskStatusSchema>;

const errorView = z.object({ code: z.string(), message: z.string() });

export const taskViewSchema = z.object({
  id: z.string(),
  status: taskStatusSchema,
  reply: z.string(),
  error: errorView.nullable(),
  calls: z.int(),
  tool_calls: z.int(),
  usage: z.object({ input_tokens: z.int(), output_tokens: z.int() }),
  models: z.array(z.string()),
  from: z.string(),
  created_at: z.int(),
  updated_at: z.int(),
});

export const agentHealthReplySchema = agentHealthSchema.extend({
  state: z.enum(["idle", "running", "stopping"]),
  queue_length: z.int(),
  current: z.object({ kind: z.enum(["chat", "task"]), id: z.string(), running_ms: z.int() }).nullable(),
});

/** One MCP server as `openlegion mcp list` shows it; `held` are tools changed since pinned (rug pulls). */
export const mcpServerViewSchema = z.object({
  name: z.string(),
  state: z.string(),
  transport: z.string().nullable(),
  url: z.string().optional(),
  protocol: z.string().nullable(),
  server: z.object({ name: z.string(), version: z.string() }).nullable(),
  tools: z.int(),
  restarts: z.int(),
  error: z.string().optional(),
  /** The new definitions awaiting approval (description cut to 500 characters: untrusted text). */
  held: z.array(z.object({ name: z.string(), description: z.string() })),
});
export const mcpServersReplySchema = z.object({ servers: z.array(mcpServerViewSchema) });
export const mcpApproveBodySchema = z.strictObject({
  server: z.string().min(1).max(64),
  tool: z.string().min(1).max(256),
});
export const mcpApproveReplySchema = z.object({
  server: z.string(),
  tool: z.string(),
  approved: z.literal(true),
});

/** One directory of the agent's data root (`GET /files`), for the operator's dashboard. */
export const agentFilesSchema = z.object({
  path: z.string(),
  entries: z.array(
    z.object({
      name: z.string(),
      kind: z.enum(["file", "dir", "symlink", "other"]),
      size: z.int(),
      mtime_ms: z.int(),
    }),
  ),
  truncated: z.boolean(),
});

export const AgentRoutes = routeTable({
  task: endpoint("POST", "/tasks", "mesh", {
    headers: z.object({ "idempotency-key": z.string().min(1).max(200).optional() }),
    body: z.strictObject({
      task: z.string().min(1).max(100_000),
      from: z.string().min(1).max(128).default("mesh"),
    }),
    response: { 200: taskViewSchema, 202: taskViewSchema },
  }),
  taskStatus: endpoint("GET", "/tasks/:id", "mesh", {
    params: z.object({ id: z.string().min(1).max(64) }),
    response: { 200: taskViewSchema },
  }),
  /** `Accept: application/json` → the reply; `text/event-stream` → events ending in `done` or `error`. */
  chat: endpoint("POST", "/chat", "mesh", {
    body: agentChatRequestSchema,
    response: {
      200: agentChatReplySchema.extend({ status: z.string(), error: errorView.optional() }),
    },
    events: agentStreamEventSchema,
  }),
  steer: endpoint("POST", "/steer", "mesh", {
    body: z.strictObject({
      message: z.string().min(1).max(100_000),
      from: z.string().min(1).max(128).default("operator"),
    }),
    response: { 202: z.object({ delivered: z.enum(["injected", "queued"]) }) },
  }),
  reset: endpoint("POST", "/reset", "mesh", { response: { 200: z.object({ cleared: z.int() }) } }),
  inbox: endpoint("POST", "/inbox", "mesh", {
    body: inboxDeliverySchema,
    response: { 200: z.object({ accepted: z.int(), duplicates: z.int() }) },
  }),
  /** The agent's MCP servers: transport, negotiated protocol revision, held tools. */
  mcpServers: endpoint("GET", "/mcp", "mesh", { response: { 200: mcpServersReplySchema } }),
  /** Accepts a held tool's current definition (pinned again, offered from the next turn). */
  mcpApprove: endpoint("POST", "/mcp/approve", "mesh", {
    body: mcpApproveBodySchema,
    response: { 200: mcpApproveReplySchema },
  }),
  /** The runtime's own status object (diagnostics; its shape is not a contract). */
  status: endpoint("GET", "/status", "mesh"),
  health: endpoint("GET", "/healthz", "mesh", { response: { 200: agentHealthReplySchema } }),
  /** A directory of /data (workspace files, artifacts), not recursive, at most 500 entries. */
  files: endpoint("GET", "/files", "mesh", {
    query: z.object({ path: z.string().max(4096).default(".") }),
    response: { 200: agentFilesSchema },
  }),
  /** A file of /data as bytes (`application/octet-stream`), at most 5 MiB. */
  file: endpoint("GET", "/files/*", "mesh", { params: z.object({ "*": z.string().max(4096) }) }),
});
