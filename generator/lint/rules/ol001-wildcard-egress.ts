import type { Finding, LintContext, Rule } from "../types.js";

/** A host pattern that admits a whole TLD or everything: `*`, `*.com`, `*.co.uk`-style. */
export const isWildcardHost = (host: string): boolean => {
  const name = host.replace(/:\d+$/, "");
  return name === "*" || (name.startsWith("*.") && !name.slice(2).includes("."));
};

export const ol001: Rule = {
  id: "OL001",
  name: "wildcard-egress-host",
  check(ctx: LintContext): Finding[] {
    const agents =
      (ctx.proxyConfig as { agents?: Record<string, { allowed_hosts?: unknown }> } | undefined)?.agents ?? {};
    const out: Finding[] = [];
    for (const [id, agent] of Object.entries(agents)) {
      const hosts = Array.isArray(agent.allowed_hosts) ? agent.allowed_hosts : [];
      for (const host of hosts) {
        if (typeof host === "string" && isWildcardHost(host)) {
          out.push({
            rule: "OL001",
            severity: "error",
            path: `compose/egress-proxy/config.json#/agents/${id}/allowed_hosts`,
            message: `agent ${id} may reach ${JSON.stringify(host)} through the egress proxy, which is effectively the whole internet`,
            fix: `list the hosts agent ${id} needs in config/agents.yaml allowed_hosts (e.g. "api.example.com"), then openlegion render`,
          });
        }
      }
    }
    return out;
  },
};
