import { ProxyErrors } from "../errors.js";
import { retryAfterSeconds } from "../health/retry-after.js";
import type { ProxyContext } from "./context.js";
import { decorate, type Step } from "./types.js";

/** A cooling model answers 503 at once (no upstream contact); every upstream outcome feeds the shared tracker. */
export const healthStep =
  (ctx: ProxyContext): Step =>
  (next) =>
  (call, handler) => {
    const model = call.model;
    if (!model) {
      next(call, handler);
      return;
    }
    const cooling = ctx.health.cooling(model, call.agent?.id);
    if (cooling) {
      const retryAfter = Math.max(1, Math.ceil((cooling.untilMs - ctx.now()) / 1000));
      ctx.metrics.cooldownRefusals.inc({ provider: call.provider?.name ?? "", model });
      handler.onError(ProxyErrors.modelCooldown(model, retryAfter, cooling.reason));
      return;
    }
    next(
      call,
      decorate(handler, {
        onResponseStart: (status, headers) => {
          const retryAfterS = status >= 400 ? retryAfterSeconds(headers, ctx.now()) : undefined;
          ctx.health.record(model, { kind: "status", status, retryAfterS }, call.agent?.id);
          handler.onResponseStart(status, headers);
        },
        onError: (error) => {
          // Only failures on the wire count: never a client abort, never our own refusals.
          if (call.upstreamFailure && !call.clientAborted)
            ctx.health.record(model, { kind: call.upstreamFailure }, call.agent?.id);
          handler.onError(error);
        },
      }),
    );
  };
