import type { IncomingMessage } from "node:http";
import { presentedProxyToken } from "../auth.js";
import type { ResolvedAgent } from "../config.js";
import { ProxyErrors } from "../errors.js";
import { findHostRule, normalizeHost } from "../net/hosts.js";
import { type CheckedTarget, type Resolver, resolveChecked } from "../net/resolver.js";
import { admitAgent } from "../pipeline/auth.js";
import type { ProxyContext } from "../pipeline/context.js";

/** Proxy-Authorization → agent (same admission as the other doors), or a 407 for an unknown token. */
export function proxyAgent(ctx: ProxyContext, req: IncomingMessage): ResolvedAgent {
  return admitAgent(ctx, presentedProxyToken(req.headers), req.socket.remoteAddress, () =>
    ProxyErrors.proxyAuthRequired(),
  );
}

/**
 * The forward-proxy policy for one target: the name must match one of the agent's allowed_hosts (port
 * included), then it is resolved ONCE and every address must be public unicast or inside allow_private_cidrs.
 * The caller connects only to the returned addresses.
 */
export async function checkEgressTarget(
  ctx: ProxyContext,
  resolver: Resolver,
  agent: ResolvedAgent,
  rawHost: string,
  port: number,
): Promise<CheckedTarget> {
  const host = normalizeHost(rawHost);
  if (!host) throw ProxyErrors.hostForbidden(agent.id, rawHost.slice(0, 255), "not a valid host name");
  if (!findHostRule(agent.hostRules, host, port)) {
    const patterns = agent.hostRules.map((r) => r.pattern).join(", ") || "none";
    throw ProxyErrors.hostForbidden(agent.id, `${host}:${port}`, `not in allowed_hosts (${patterns})`);
  }
  return resolveChecked(host.startsWith("[") ? host.slice(1, -1) : host, resolver, ctx.config.allowPrivate);
}
