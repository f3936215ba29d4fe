import { z } from "zod";
import { agentFilesSchema } from "./agent-routes.js";
import { endpoint, routeTable } from "./contract.js";
import { auditEntrySchema, heartbeatViewSchema } from "./mesh-api.js";
import { llmCallViewSchema, ProxyAdminRoutes } from "./proxy-admin-routes.js";

/**
 * The fleet dashboard's routes on the mesh (docs/dashboard.md): the page and its bundled assets, the
 * login that turns the operator token (or a one-time code from `openlegion dashboard`) into a session
 * cookie, and the few operator views the CLI had no mesh route for (the proxy's model health, the kill
 * switch, recent LLM calls, one live event feed). Every other page reads the operator API as the CLI does.
 */
const agentParams = z.object({ id: z.string().min(1).max(64) });

export const sessionViewSchema = z.object({
  /** Send back as `x-csrf-token` on every state-changing call made with the session cookie. */
  csrf: z.string(),
  expires_at: z.int(),
});

/** One frame of `GET /v1/events`: an audit entry (operator actions, denials, chat, messages), an LLM call or a blackboard change. */
export const fleetEventSchema = z.discriminatedUnion("type", [
  auditEntrySchema.extend({ type: z.literal("audit") }),
  llmCallViewSchema.extend({ type: z.literal("llm") }),
  /** A committed blackboard change (no value: read the key), as on `GET /v1/watch`. */
  z.object({
    type: z.literal("blackboard"),
    key: z.string(),
    version: z.int(),
    op: z.enum(["put", "delete", "expire"]),
    by: z.string(),
    at: z.int(),
  }),
  z.object({ type: z.literal("ready"), agent: z.string().nullable() }),
]);
export type FleetEvent = z.output<typeof fleetEventSchema>;

const frozenReply = z.object({ agent: z.string(), frozen: z.boolean() });

export const DashboardRoutes = routeTable({
  dashboardPage: endpoint("GET", "/dashboard", "none"),
  dashboardAsset: endpoint("GET", "/dashboard/assets/:file", "none", {
    params: z.object({ file: z.string().max(64) }),
  }),
  /** Exactly one of `token` (the operator token) or `code` (one-time, from `openlegion dashboard`). */
  login: endpoint("POST", "/dashboard/session", "none", {
    body: z
      .strictObject({
        token: z.string().min(1).max(256).optional(),
        code: z.string().min(1).max(64).optional(),
      })
      .refine((b) => (b.token === undefined) !== (b.code === undefined), "send exactly one of token or code"),
    response: { 200: sessionViewSchema },
  }),
  session: endpoint("GET", "/dashboard/session", "operator", { response: { 200: sessionViewSchema } }),
  logout: endpoint("DELETE", "/dashboard/session", "operator", {
    response: { 200: z.object({ ended: z.boolean() }) },
  }),
  loginCode: endpoint("POST", "/v1/dashboard/codes", "operator", {
    response: { 201: z.object({ code: z.string(), expires_at: z.int() }) },
  }),
  /** SSE: `event: ready`, the recent events (replay), then live ones; `agent` narrows to one agent. */
  events: endpoint("GET", "/v1/events", "operator", {
    query: z.object({ agent: z.string().max(64).optional() }),
    events: fleetEventSchema,
  }),
  /** The proxy's `GET /admin/calls` (settled LLM calls, oldest first), relayed. */
  llmCalls: endpoint("GET", "/v1/llm-calls", "operator", {
    query: ProxyAdminRoutes.calls.query,
    response: ProxyAdminRoutes.calls.response,
  }),
  /** A directory of the agent's /data (workspace files, `artifacts/`), from the agent. */
  agentFiles: endpoint("GET", "/v1/agents/:id/files", "operator", {
    params: agentParams,
    query: z.object({ path: z.string().max(4096).default(".") }),
    response: { 200: agentFilesSchema },
  }),
  /** One file's bytes (≤ 5 MiB): images as themselves, UTF-8 text as text/plain, else a download. */
  agentFile: endpoint("GET", "/v1/agents/:id/files/*", "operator", {
    params: z.object({ id: z.string().min(1).max(64), "*": z.string().max(4096) }),
  }),
  /** The agent's effective heartbeat (mesh.yaml, or its own set_heartbeat) and when it fires next. */
  agentHeartbeat: endpoint("GET", "/v1/agents/:id/heartbeat", "operator", {
    params: agentParams,
    response: { 200: heartbeatViewSchema },
  }),
  /** The proxy's `GET /admin/health` (cooldowns), relayed. */
  modelHealth: endpoint("GET", "/v1/model-health", "operator", {
    response: ProxyAdminRoutes.modelHealth.response,
  }),
  freeze: endpoint("POST", "/v1/agents/:id/freeze", "operator", {
    params: agentParams,
    response: { 200: frozenReply },
  }),
  unfreeze: endpoint("POST", "/v1/agents/:id/unfreeze", "operator", {
    params: agentParams,
    response: { 200: frozenReply },
  }),
});
