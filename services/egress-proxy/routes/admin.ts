import type { IncomingMessage, ServerResponse } from "node:http";
import type { z } from "zod";
import { matchRoute, type ReplyInput } from "../../common/contracts/contract.js";
import {
  type CostsReport,
  type LlmCallView,
  ProxyAdminRoutes,
} from "../../common/contracts/proxy-admin-routes.js";
import { isOlError } from "../../common/errors.js";
import { presentedToken } from "../auth.js";
import { ProxyErrors } from "../errors.js";
import { sendError, sendJson } from "../http/respond.js";
import type { ProxyContext } from "../pipeline/context.js";
import { PRICING_SOURCE, PRICING_VERSION } from "../pricing/table.js";
import { dayOf, monthOf, toUsd } from "../store/ledger-store.js";

const round = (usd: number): number => Math.round(usd * 1e6) / 1e6;

/** Costs per agent (today, this month, in flight, budget, frozen) plus per-agent/model/day rows of the last 31 days. */
export function costsReport(ctx: ProxyContext): CostsReport {
  const now = ctx.now();
  const day = dayOf(now);
  const month = monthOf(now);
  const frozen = new Set(ctx.store.frozenAgents());
  const agents: CostsReport["agents"] = {};
  for (const agent of ctx.config.agents.values()) {
    const d = ctx.store.window(agent.id, `d:${day}`);
    const m = ctx.store.window(agent.id, `m:${month}`);
    agents[agent.id] = {
      today_usd: round(toUsd(d.spentNusd)),
      month_usd: round(toUsd(m.spentNusd)),
      reserved_usd: round(toUsd(d.reservedNusd)),
      budget: { daily_usd: agent.dailyUsd, monthly_usd: agent.monthlyUsd },
      frozen: frozen.has(agent.id),
    };
  }
  const since = dayOf(now - 31 * 86_400_000);
  const count = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
  // SQLite rows of the ledger's costs-by-model query, converted field by field.
  const rows = ctx.store.costsSince(since).map((r) => ({
    agent: String(r.agent),
    model: String(r.model),
    day: String(r.day),
    calls: Number(r.calls),
    cost_usd: round(toUsd(Number(r.cost_nusd ?? 0))),
    input_tokens: count(r.input_tokens),
    output_tokens: count(r.output_tokens),
  }));
  return {
    day,
    month,
    pricing_version: PRICING_VERSION,
    pricing_source: PRICING_SOURCE,
    agents,
    by_model: rows,
  };
}

/** A ledger row (SQLite column names) as the calls view. */
function callView(r: Record<string, unknown>): LlmCallView {
  const int = (v: unknown): number => Number(v ?? 0);
  return {
    id: int(r.id),
    at: int(r.started_at),
    agent: String(r.agent),
    model: String(r.model),
    status: r.status === null || r.status === undefined ? null : int(r.status),
    input_tokens: int(r.input_tokens),
    output_tokens: int(r.output_tokens),
    cost_usd: round(toUsd(int(r.cost_nusd))),
    latency_ms: r.latency_ms === null || r.latency_ms === undefined ? null : int(r.latency_ms),
    error_code: r.error_code === null || r.error_code === undefined ? null : String(r.error_code),
  };
}

type Routes = typeof ProxyAdminRoutes;
type Handlers = {
  [K in Exclude<keyof Routes, "metrics">]: (
    ctx: ProxyContext,
    params: Record<string, string>,
    query: URLSearchParams,
  ) => ReplyInput<Routes[K]>;
};

function setFrozen(ctx: ProxyContext, id: string, frozen: boolean): ReplyInput<Routes["freeze"]> {
  if (!ctx.config.agents.has(id)) throw ProxyErrors.unknownAgent(id);
  if (frozen) ctx.store.freeze(id, ctx.now());
  else ctx.store.unfreeze(id);
  ctx.log.info({ agent: id, action: frozen ? "freeze" : "unfreeze" }, "operator kill switch");
  return { agent: id, frozen };
}

/** The JSON routes of ProxyAdminRoutes (params decoded by matchRoute); `/metrics` is text. */
const handlers: Handlers = {
  health: () => ({ ok: true }),
  costs: (ctx) => costsReport(ctx),
  modelHealth: (ctx) => ({
    models: ctx.health.snapshot().map((h) => ({
      model: h.model,
      ...(h.agent === undefined ? {} : { agent: h.agent }),
      cooling: h.cooling,
      retry_after_s: h.retryAfterS,
      until: new Date(h.untilMs).toISOString(),
      failures: h.failures,
      reason: h.reason,
    })),
  }),
  calls: (ctx, _p, query) => {
    const q = ProxyAdminRoutes.calls.query.safeParse(Object.fromEntries(query));
    if (!q.success)
      throw ProxyErrors.badPath(`bad query field ${q.error.issues.map((i) => i.path.join(".")).join(", ")}`);
    return { calls: ctx.store.callsAfter(q.data.after, q.data.limit, q.data.agent).map(callView) };
  },
  freeze: (ctx, p) => setFrozen(ctx, p.id ?? "", true),
  unfreeze: (ctx, p) => setFrozen(ctx, p.id ?? "", false),
  reload: (ctx) => {
    if (!ctx.reloadConfig) throw ProxyErrors.config("this proxy was not started from a config file");
    return ctx.reloadConfig();
  },
};

/**
 * Admin and liveness routes, dispatched from ProxyAdminRoutes. `/healthz` is open and says nothing;
 * everything else needs the operator token (agents never hold it; in the stack the control network is
 * the only way in as well). Replies pass through their contract's schema, which drops undeclared fields.
 * Returns false when the path is not an admin route.
 */
export function handleAdmin(ctx: ProxyContext, req: IncomingMessage, res: ServerResponse, url: URL): boolean {
  const path = url.pathname;
  if (path !== "/healthz" && path !== "/metrics" && !path.startsWith("/admin/")) return false;
  req.resume();
  const hit = matchRoute(ProxyAdminRoutes, req.method ?? "GET", path);
  const auth = hit.name === undefined ? "operator" : ProxyAdminRoutes[hit.name].auth;
  if (auth !== "none" && !ctx.tokens.isOperator(presentedToken(req.headers, new URLSearchParams()))) {
    sendError(res, ProxyErrors.forbiddenAdmin());
    return true;
  }
  if (hit.name === undefined) {
    sendError(res, ProxyErrors.unknownRoute(path));
    return true;
  }
  if (hit.name === "metrics") {
    const text = ctx.metrics.render();
    res.writeHead(200, {
      "content-type": "text/plain; version=0.0.4; charset=utf-8",
      "content-length": Buffer.byteLength(text),
    });
    res.end(text);
    return true;
  }
  try {
    const schema: z.ZodType = ProxyAdminRoutes[hit.name].response[200];
    sendJson(res, 200, schema.parse(handlers[hit.name](ctx, hit.params, url.searchParams)));
  } catch (error) {
    if (!isOlError(error)) throw error;
    sendError(res, error);
  }
  return true;
}
