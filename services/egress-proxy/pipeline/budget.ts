import type { OlError } from "../../common/errors.js";
import { ProxyErrors } from "../errors.js";
import { worstCaseCost } from "../pricing/price.js";
import { toNusd, toUsd } from "../store/ledger-store.js";
import type { ProxyContext } from "./context.js";
import { chargeFor } from "./settle.js";
import { decorate, type Step } from "./types.js";

/**
 * Reserve the worst case against the daily AND monthly window in one synchronous transaction, then settle
 * exactly once on the single end/error path (STYLE.md "Budget release lives on that path").
 */
export const budgetStep =
  (ctx: ProxyContext): Step =>
  (next) =>
  (call, handler) => {
    const agent = call.agent;
    const facts = call.facts;
    const model = call.model;
    const provider = call.provider;
    if (!agent || !facts || !model || !provider) {
      next(call, handler); // free endpoints (GET /v1/models): nothing to reserve
      return;
    }
    const { price, source: priceSource } = ctx.prices.lookup(model);
    // Provider-side tools are billed per call, not per token: reserved and, on success, charged in full.
    const toolUsd = ctx.prices.toolCost(model, call.serverTools ?? [], call.serverToolCalls ?? 0);
    const reserveUsd = worstCaseCost(facts.inputTokens, facts.outputTokens, price) + toolUsd;
    const reserveNusd = toNusd(reserveUsd);
    const result = ctx.store.reserve({
      agent: agent.id,
      provider: provider.name,
      model,
      route: call.rest,
      reserveNusd,
      dailyLimitNusd: toNusd(agent.dailyUsd),
      monthlyLimitNusd: toNusd(agent.monthlyUsd),
      now: ctx.now(),
    });
    if (!result.ok) {
      const labels = {
        agent: agent.id,
        provider: provider.name,
        model,
        reason: result.reason === "frozen" ? "frozen" : result.period,
      };
      ctx.metrics.budgetRefusals.inc(labels);
      handler.onError(
        result.reason === "frozen"
          ? ProxyErrors.agentFrozen(agent.id)
          : ProxyErrors.budgetExceeded({
              agent: agent.id,
              period: result.period,
              limit: toUsd(result.limitNusd),
              spent: toUsd(result.spentNusd),
              reserved: toUsd(result.reservedNusd),
              needed: reserveUsd,
            }),
      );
      return;
    }
    call.reservationId = result.id;
    call.reserveNusd = reserveNusd;
    let settled = false;
    const settle = (error: Error | undefined) => {
      if (settled) return;
      settled = true;
      const charge = chargeFor(call, price, reserveUsd - toolUsd);
      const ok = call.status !== undefined && call.status >= 200 && call.status < 300;
      const costNusd = toNusd(charge.costUsd + (ok ? toolUsd : 0));
      ctx.store.settle({
        id: result.id,
        costNusd,
        status: call.status ?? null,
        usage: charge.usage,
        usageSource: charge.source,
        priceSource,
        errorCode: error
          ? ((error as OlError).code ?? (call.clientAborted ? "client_aborted" : "error"))
          : null,
        latencyMs: Math.max(0, ctx.now() - call.startedAt),
      });
      const labels = { agent: agent.id, provider: provider.name, model };
      ctx.metrics.cost.inc(labels, toUsd(costNusd));
      ctx.metrics.tokens.inc({ ...labels, direction: "input" }, charge.usage.inputTokens);
      ctx.metrics.tokens.inc({ ...labels, direction: "output" }, charge.usage.outputTokens);
      if (charge.source !== "reported" && call.status !== undefined && call.status < 300) {
        ctx.metrics.usageMissing.inc({ ...labels, source: charge.source });
        ctx.log.warn(
          { agent: agent.id, model, source: charge.source },
          "call settled without complete usage",
        );
      }
    };
    next(
      call,
      decorate(handler, {
        onResponseEnd: () => {
          // The client's response ends first, then the call settles in the same synchronous turn: no other
          // request can reserve in between, and the settle transaction is off the latency path.
          try {
            handler.onResponseEnd();
          } finally {
            settle(undefined);
          }
        },
        onError: (error) => {
          settle(error);
          handler.onError(error);
        },
      }),
    );
  };
