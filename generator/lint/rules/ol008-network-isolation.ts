import { type Finding, isAgentService, type LintContext, pointer, type Rule, servicesOf } from "../types.js";

type Net = { internal?: unknown; enable_ipv6?: unknown; driver_opts?: Record<string, unknown> };

/**
 * Each agent sits alone on its own internal network with inhibit_ipv4 (no route to the host on
 * engines ≤ 24), shared only with mesh and egress-proxy; no network has IPv6.
 */
export const ol008: Rule = {
  id: "OL008",
  name: "agent-network-not-isolated",
  check(ctx: LintContext): Finding[] {
    const out: Finding[] = [];
    const networks = (ctx.compose.networks ?? {}) as Record<string, Net>;
    const services = servicesOf(ctx);
    const finding = (path: string, message: string, fix: string): Finding => ({
      rule: "OL008",
      severity: "error",
      path,
      message,
      fix,
    });
    for (const [name, net] of Object.entries(networks)) {
      if (net?.enable_ipv6)
        out.push(
          finding(
            pointer("networks", name, "enable_ipv6"),
            `network ${name} enables IPv6, which has no isolation rules on engines < 27`,
            "remove enable_ipv6",
          ),
        );
    }
    const members = (net: string) =>
      Object.entries(services)
        .filter(([, s]) =>
          (Array.isArray(s.networks) ? s.networks : Object.keys((s.networks as object) ?? {})).includes(net),
        )
        .map(([n]) => n);
    for (const [name, service] of Object.entries(services)) {
      if (!isAgentService(name, service)) continue;
      const nets = Array.isArray(service.networks)
        ? (service.networks as string[])
        : Object.keys((service.networks as object) ?? {});
      if (nets.length === 0)
        out.push(
          finding(
            pointer("services", name, "networks"),
            `${name} has no explicit network (it would join the default bridge)`,
            "re-render",
          ),
        );
      for (const netName of nets) {
        const net = networks[netName];
        if (net?.internal !== true)
          out.push(
            finding(
              pointer("networks", netName, "internal"),
              `${name}'s network ${netName} is not internal: the agent could bypass the egress proxy`,
              "re-render",
            ),
          );
        if (net?.driver_opts?.["com.docker.network.bridge.inhibit_ipv4"] !== "true") {
          out.push(
            finding(
              pointer("networks", netName, "driver_opts"),
              `${name}'s network ${netName} lacks inhibit_ipv4: on engines ≤ 24 the agent reaches every host address`,
              "re-render",
            ),
          );
        }
        const others = members(netName).filter((m) => m !== name && m !== "mesh" && m !== "egress-proxy");
        if (others.length > 0)
          out.push(
            finding(
              pointer("networks", netName),
              `${name} shares network ${netName} with ${others.join(", ")}`,
              "give every agent its own network (re-render)",
            ),
          );
      }
    }
    return out;
  },
};
