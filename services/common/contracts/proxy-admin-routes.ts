import { z } from "zod";
import { endpoint, routeTable } from "./contract.js";

/** What `GET /v1/costs` relays and `openlegion costs` prints (services/egress-proxy/routes/admin.ts). */
export const costsReportSchema = z.object({
  day: z.string(),
  month: z.string(),
  pricing_version: z.string().optional(),
  pricing_source: z.string().optional(),
  agents: z.record(
    z.string(),
    z.object({
      today_usd: z.number(),
      month_usd: z.number(),
      reserved_usd: z.number().default(0),
      budget: z.object({ daily_usd: z.number(), monthly_usd: z.number() }),
      frozen: z.boolean().default(false),
    }),
  ),
  /** Per agent, model and day, the last 31 days. */
  by_model: z.array(
    z.object({
      agent: z.string(),
      model: z.string(),
      day: z.string(),
      calls: z.number(),
      cost_usd: z.number(),
      input_tokens: z.number().nullish(),
      output_tokens: z.number().nullish(),
    }),
  ),
});
export type CostsReport = z.output<typeof costsReportSchema>;

export const costsPeriodSchema = z.enum(["today", "month", "all"]);

/** One settled LLM call of the ledger (`GET /admin/calls`): what the dashboard's event stream shows. */
export const llmCallViewSchema = z.object({
  id: z.int(),
  at: z.int(),
  agent: z.string(),
  model: z.string(),
  status: z.int().nullable(),
  input_tokens: z.int(),
  output_tokens: z.int(),
  cost_usd: z.number(),
  latency_ms: z.int().nullable(),
  error_code: z.string().nullable(),
});
export type LlmCallView = z.output<typeof llmCallViewSchema>;

const agentParams = z.object({ id: z.string().min(1).max(64) });
const frozenReply = z.object({ agent: z.string(), frozen: z.boolean() });

/** The egress proxy's own routes besides `/llm/…` and `/api/…`: liveness and the operator's admin API. */
export const ProxyAdminRoutes = routeTable({
  health: endpoint("GET", "/healthz", "none", { response: { 200: z.object({ ok: z.boolean() }) } }),
  metrics: endpoint("GET", "/metrics", "operator"),
  costs: endpoint("GET", "/admin/costs", "operator", {
    /** Accepted for the mesh's relay; the report always holds today, this month and 31 days of rows. */
    query: z.object({ period: costsPeriodSchema.optional() }),
    response: { 200: costsReportSchema },
  }),
  modelHealth: endpoint("GET", "/admin/health", "operator", {
    response: {
      200: z.object({
        models: z.array(
          z.object({
            model: z.string(),
            /** Set on agent-scoped cooldowns (a 401/403/429 one agent's call provoked). */
            agent: z.string().optional(),
            cooling: z.boolean(),
            retry_after_s: z.number(),
            until: z.string(),
            failures: z.int(),
            reason: z.string(),
          }),
        ),
      }),
    },
  }),
  /** Settled calls with `id > after`, oldest first (the dashboard's event feed polls this). */
  calls: endpoint("GET", "/admin/calls", "operator", {
    query: z.object({
      agent: z.string().max(64).optional(),
      after: z.coerce.number().int().min(0).default(0),
      limit: z.coerce.number().int().min(1).max(500).default(100),
    }),
    response: { 200: z.object({ calls: z.array(llmCallViewSchema) }) },
  }),
  freeze: endpoint("POST", "/admin/agents/:id/freeze", "operator", {
    params: agentParams,
    response: { 200: frozenReply },
  }),
  unfreeze: endpoint("POST", "/admin/agents/:id/unfreeze", "operator", {
    params: agentParams,
    response: { 200: frozenReply },
  }),
  /** Re-reads config.json now (it is also watched); `openlegion up` calls it through the mesh. */
  reload: endpoint("POST", "/admin/reload", "operator", {
    response: { 200: z.object({ agents: z.int() }) },
  }),
});
