import type { IncomingMessage, ServerResponse } from "node:http";
import { presentedToken } from "../auth.js";
import { ProxyErrors } from "../errors.js";
import { sendError, sendJson } from "../http/respond.js";
import type { ProxyContext } from "../pipeline/context.js";
import { PRICING_SOURCE, PRICING_VERSION } from "../pricing/table.js";
import { dayOf, monthOf, toUsd } from "../store/ledger-store.js";

const round = (usd: number): number => Math.round(usd * 1e6) / 1e6;

/** Costs per agent (today, this month, in flight, budget, frozen) plus per-agent/model/day rows of the last 31 days. */
export function costsReport(ctx: ProxyContext): Record<string, unknown> {
  const now = ctx.now();
  const day = dayOf(now);
  const month = monthOf(now);
  const frozen = new Set(ctx.store.frozenAgents());
  const agents: Record<string, unknown> = {};
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
  const rows = ctx.store.costsSince(since).map((r) => ({
    agent: r.agent,
    model: r.model,
    day: r.day,
    calls: r.calls,
    cost_usd: round(toUsd(Number(r.cost_nusd ?? 0))),
    input_tokens: r.input_tokens,
    output_tokens: r.output_tokens,
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

/**
 * Admin and liveness routes. `/healthz` is open and says nothing; everything else needs the operator token
 * (agents never hold it; in the stack the control network is the only way in as well).
 * Returns false when the path is not an admin route.
 */
export function handleAdmin(ctx: ProxyContext, req: IncomingMessage, res: ServerResponse, url: URL): boolean {
  const path = url.pathname;
  if (path === "/healthz") {
    sendJson(res, 200, { ok: true });
    return true;
  }
  if (path !== "/metrics" && !path.startsWith("/admin/")) return false;
  req.resume();
  if (!ctx.tokens.isOperator(presentedToken(req.headers, new URLSearchParams()))) {
    sendError(res, ProxyErrors.forbiddenAdmin());
    return true;
  }
  const method = req.method ?? "GET";
  if (path === "/metrics" && method === "GET") {
    const text = ctx.metrics.render();
    res.writeHead(200, {
      "content-type": "text/plain; version=0.0.4; charset=utf-8",
      "content-length": Buffer.byteLength(text),
    });
    res.end(text);
    return true;
  }
  if (path === "/admin/costs" && method === "GET") {
    sendJson(res, 200, costsReport(ctx));
    return true;
  }
  if (path === "/admin/health" && method === "GET") {
    sendJson(res, 200, {
      models: ctx.health.snapshot().map((h) => ({
        model: h.model,
        cooling: h.cooling,
        retry_after_s: h.retryAfterS,
        until: new Date(h.untilMs).toISOString(),
        failures: h.failures,
        reason: h.reason,
      })),
    });
    return true;
  }
  const match = /^\/admin\/agents\/([^/]+)\/(freeze|unfreeze)$/.exec(path);
  if (match?.[1] && match[2] && method === "POST") {
    const id = decodeURIComponent(match[1]);
    if (!ctx.config.agents.has(id)) {
      sendError(res, ProxyErrors.unknownAgent(id));
      return true;
    }
    if (match[2] === "freeze") ctx.store.freeze(id, ctx.now());
    else ctx.store.unfreeze(id);
    ctx.log.info({ agent: id, action: match[2] }, "operator kill switch");
    sendJson(res, 200, { agent: id, frozen: match[2] === "freeze" });
    return true;
  }
  sendError(res, ProxyErrors.unknownRoute(path));
  return true;
}
