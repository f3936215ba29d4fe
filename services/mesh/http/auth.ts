import type { FastifyInstance, FastifyRequest } from "fastify";
import type { MeshContext, RouteAuth } from "../context.js";
import { cidrContains } from "../core/cidr.js";
import { TokenBuckets } from "../core/rate-limit.js";
import { MeshErrors } from "../errors.js";

const BEARER = /^Bearer ([A-Za-z0-9_-]{1,256})$/;

/**
 * One onRequest hook for every route: Authorization → principal, then (agents) the source address must
 * be in the agent's own subnet, read from the socket — never from X-Forwarded-For — and the agent's
 * request rate must be within its bucket. Auth failures and subnet mismatches are audited; tokens
 * never are.
 */
export function registerAuth(app: FastifyInstance, ctx: MeshContext): void {
  const buckets = new TokenBuckets(ctx.limits.rate_rps, ctx.limits.rate_burst);
  app.decorateRequest("principal", undefined);
  app.addHook("onRequest", async (req) => {
    const need: RouteAuth = req.routeOptions.config.auth ?? "operator";
    if (need === "none") return;
    const address = req.socket.remoteAddress ?? "unknown";
    const target = `${req.method} ${req.routeOptions.url ?? req.url}`;
    const header = req.headers.authorization;
    const match = header === undefined ? null : BEARER.exec(header);
    const principal = match?.[1] ? ctx.identity.resolve(match[1]) : undefined;
    if (!principal) {
      const why = header === undefined ? "missing Authorization: Bearer token" : "unknown or malformed token";
      ctx.audit({
        actor: "anonymous",
        action: "auth",
        target,
        outcome: "denied",
        code: "OL_ERR_MESH_UNAUTHENTICATED",
        detail: { address, why },
      });
      throw MeshErrors.unauthenticated(why);
    }
    if (principal.kind === "agent") {
      const agent = ctx.identity.agent(principal.id);
      if (!cidrContains(agent.subnet, req.socket.remoteAddress)) {
        ctx.audit({
          actor: principal.id,
          action: "auth",
          target,
          outcome: "denied",
          code: "OL_ERR_MESH_WRONG_SUBNET",
          detail: { address, subnet: agent.subnet.text },
        });
        throw MeshErrors.wrongSubnet(principal.id, address);
      }
    }
    if (need !== "any" && need !== principal.kind) {
      const actor = principal.kind === "agent" ? principal.id : "operator";
      ctx.audit({
        actor,
        action: "auth",
        target,
        outcome: "denied",
        code: "OL_ERR_MESH_WRONG_PRINCIPAL",
        detail: { need },
      });
      throw MeshErrors.wrongPrincipal(need);
    }
    if (principal.kind === "agent") {
      const wait = buckets.take(principal.id, ctx.clock.now());
      if (wait > 0) throw MeshErrors.rateLimited(principal.id, ctx.limits.rate_rps, wait);
    }
    req.principal = principal;
  });
}

export const actorOf = (req: FastifyRequest): string =>
  req.principal === undefined ? "anonymous" : req.principal.kind === "agent" ? req.principal.id : "operator";
