import type { Socket } from "node:net";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { RouteAuth } from "../../common/contracts/contract.js";
import { cidrContains } from "../../common/ipv4-cidr.js";
import type { MeshContext } from "../context.js";
import { TokenBuckets } from "../core/rate-limit.js";
import { MeshErrors } from "../errors.js";
import type { Principal } from "../identity.js";
import { cookieValue, csrfMatches, SESSION_COOKIE } from "../modules/dashboard/sessions.js";

const SAFE_METHODS = new Set(["GET", "HEAD"]);

const BEARER = /^Bearer ([A-Za-z0-9_-]{1,256})$/;

/**
 * One onRequest hook for every route: Authorization → principal, then (agents) the source address must
 * be in the agent's own subnet, read from the socket — never from X-Forwarded-For — and the agent's
 * request rate must be within its bucket. Auth failures and subnet mismatches are audited; tokens
 * never are.
 *
 * A keep-alive connection that presents the same Authorization header again skips the token lookup and
 * the subnet check: both depend only on that header and the socket's address, which cannot change.
 * The cache compares the header with the one this same socket presented before (and that was verified),
 * so its timing reveals nothing the peer did not send itself. Failed checks are never cached.
 */
export function registerAuth(app: FastifyInstance, ctx: MeshContext): void {
  const buckets = new TokenBuckets(ctx.limits.rate_rps, ctx.limits.rate_burst);
  const verified = new WeakMap<Socket, { header: string; principal: Principal }>();
  app.decorateRequest("principal", undefined);
  app.addHook("onRequest", (req, _reply, done) => {
    const need: RouteAuth = req.routeOptions.config.auth ?? "operator";
    if (need === "none") return done();
    const header = req.headers.authorization;
    const socket = req.raw.socket;
    const cached = socket ? verified.get(socket) : undefined;
    const sessionId = header === undefined ? cookieValue(req.headers.cookie, SESSION_COOKIE) : undefined;
    let principal: Principal;
    if (sessionId !== undefined) principal = fromSession(req, sessionId);
    else if (cached !== undefined && header !== undefined && cached.header === header)
      principal = cached.principal;
    else {
      principal = verify(req, header);
      if (socket && header !== undefined) verified.set(socket, { header, principal });
    }
    if (need !== "any" && need !== principal.kind) {
      const actor = principal.kind === "agent" ? principal.id : "operator";
      audit(req, actor, MeshErrors.wrongPrincipal.code, { need });
      // "mesh" is the agent server's token; no mesh route asks for it (tests/integration/api-doc.test.ts).
      throw MeshErrors.wrongPrincipal(need === "mesh" ? "operator" : need);
    }
    if (principal.kind === "agent") {
      const wait = buckets.take(principal.id, ctx.clock.now());
      if (wait > 0) throw MeshErrors.rateLimited(principal.id, ctx.limits.rate_rps, wait);
    }
    req.principal = principal;
    done();
  });

  function audit(req: FastifyRequest, actor: string, code: string, detail: Record<string, unknown>): void {
    const target = `${req.method} ${req.routeOptions.url ?? req.url}`;
    ctx.audit({ actor, action: "auth", target, outcome: "denied", code, detail });
  }

  /**
   * The dashboard's session cookie (modules/dashboard/): looked up on every request, never cached;
   * a state-changing call must also carry the session's CSRF token, and a browser's cross-site request
   * is refused outright. The session stands for the operator who logged in with the operator token.
   */
  function fromSession(req: FastifyRequest, id: string): Principal {
    const session = ctx.dashboard.get(id);
    if (!session) {
      audit(req, "anonymous", MeshErrors.unauthenticated.code, {
        why: "dashboard session unknown or expired",
      });
      throw MeshErrors.unauthenticated("dashboard session unknown or expired: log in again");
    }
    const crossSite = req.headers["sec-fetch-site"] === "cross-site";
    const csrf = req.headers["x-csrf-token"];
    if (crossSite || (!SAFE_METHODS.has(req.method) && !csrfMatches(session, [csrf].flat()[0]))) {
      audit(req, "operator", MeshErrors.csrf.code, { cross_site: crossSite });
      throw MeshErrors.csrf();
    }
    return { kind: "operator" };
  }

  /** The full check: token lookup, then (agents) the subnet of the socket's address. Throws on failure. */
  function verify(req: FastifyRequest, header: string | undefined): Principal {
    const address = req.socket.remoteAddress ?? "unknown";
    const match = header === undefined ? null : BEARER.exec(header);
    const principal = match?.[1] ? ctx.identity.resolve(match[1]) : undefined;
    if (!principal) {
      const why = header === undefined ? "missing Authorization: Bearer token" : "unknown or malformed token";
      audit(req, "anonymous", MeshErrors.unauthenticated.code, { address, why });
      throw MeshErrors.unauthenticated(why);
    }
    if (principal.kind === "agent") {
      const agent = ctx.identity.agent(principal.id);
      if (!cidrContains(agent.subnet, req.socket.remoteAddress)) {
        audit(req, principal.id, MeshErrors.wrongSubnet.code, { address, subnet: agent.subnet.text });
        throw MeshErrors.wrongSubnet(principal.id, address);
      }
    }
    return principal;
  }
}

export const actorOf = (req: FastifyRequest): string =>
  req.principal === undefined ? "anonymous" : req.principal.kind === "agent" ? req.principal.id : "operator";
