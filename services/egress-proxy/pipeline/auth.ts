import ipaddr from "ipaddr.js";
import type { OlError } from "../../common/errors.js";
import { presentedToken } from "../auth.js";
import type { ResolvedAgent } from "../config.js";
import { ProxyErrors } from "../errors.js";
import type { ProxyContext } from "./context.js";
import { decorate, type Step } from "./types.js";

function inSubnet(agent: ResolvedAgent, address: string | undefined): boolean {
  try {
    const ip = ipaddr.process(address ?? "");
    const [net, bits] = agent.subnet;
    return ip.kind() === net.kind() && ip.match(net, bits);
  } catch {
    return false;
  }
}

/**
 * The one admission rule of every door (LLM, API, forward, CONNECT): a known token of the current generation,
 * presented from that agent's own subnet (a token replayed from another container is refused, as at the mesh),
 * by an agent the operator has not frozen (the kill switch stops everything, not only budgeted calls).
 */
export function admitAgent(
  ctx: ProxyContext,
  token: string | undefined,
  address: string | undefined,
  unknown: () => OlError,
): ResolvedAgent {
  const id = ctx.tokens.agentFor(token);
  const agent = id === undefined ? undefined : ctx.config.agents.get(id);
  if (!agent) throw unknown();
  if (!inSubnet(agent, address)) throw ProxyErrors.wrongSubnet(agent.id, address ?? "unknown");
  if (ctx.store.isFrozen(agent.id)) throw ProxyErrors.agentFrozen(agent.id);
  return agent;
}

/** Who is calling: the agent token from any SDK slot; unknown or missing → 401, nothing forwarded. */
export const authStep =
  (ctx: ProxyContext): Step =>
  (next) =>
  (call, handler) => {
    try {
      call.agent = admitAgent(
        ctx,
        presentedToken(call.req.headers, call.search),
        call.req.socket.remoteAddress,
        () => ProxyErrors.unauthenticated(`${call.door} route`),
      );
    } catch (error) {
      handler.onError(error as Error);
      return;
    }
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
