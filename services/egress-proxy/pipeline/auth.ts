import { presentedToken } from "../auth.js";
import { ProxyErrors } from "../errors.js";
import type { ProxyContext } from "./context.js";
import { decorate, type Step } from "./types.js";

/** Who is calling: the agent token from any SDK slot; unknown or missing → 401, nothing forwarded. */
export const authStep =
  (ctx: ProxyContext): Step =>
  (next) =>
  (call, handler) => {
    const id = ctx.tokens.agentFor(presentedToken(call.req.headers, call.search));
    const agent = id === undefined ? undefined : ctx.config.agents.get(id);
    if (!agent) {
      handler.onError(ProxyErrors.unauthenticated(`${call.door} route`));
      return;
    }
    call.agent = agent;
    next(call, handler);
  };

/** Caps calls in flight per agent (429 beyond); the slot is released on the one end/error path. */
export const inFlightStep =
  (ctx: ProxyContext): Step =>
  (next) =>
  (call, handler) => {
    const id = call.agent?.id ?? "";
    const current = ctx.inFlight.get(id) ?? 0;
    if (current >= ctx.limits.maxInFlightPerAgent) {
      handler.onError(ProxyErrors.tooManyInFlight(id, ctx.limits.maxInFlightPerAgent));
      return;
    }
    ctx.inFlight.set(id, current + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const left = (ctx.inFlight.get(id) ?? 1) - 1;
      if (left <= 0) ctx.inFlight.delete(id);
      else ctx.inFlight.set(id, left);
    };
    next(
      call,
      decorate(handler, {
        onResponseEnd: () => {
          release();
          handler.onResponseEnd();
        },
        onError: (error) => {
          release();
          handler.onError(error);
        },
      }),
    );
  };
