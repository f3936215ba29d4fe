import { cidrsOverlap, parseIpv4Cidr } from "../../../services/common/ipv4-cidr.js";
import { type Finding, type LintContext, pointer, type Rule } from "../types.js";

/** An explicit subnet of the file that overlaps a host route (LAN, VPN): traffic there would be misrouted. */
export const ol005: Rule = {
  id: "OL005",
  name: "subnet-collides-with-host-route",
  check(ctx: LintContext): Finding[] {
    const routes = ctx.hostRoutes.flatMap((r) => {
      const parsed = parseIpv4Cidr(r);
      return parsed && parsed.prefix > 0 ? [parsed] : [];
    });
    const networks = (ctx.compose.networks ?? {}) as Record<
      string,
      { ipam?: { config?: { subnet?: unknown }[] } }
    >;
    const out: Finding[] = [];
    for (const [name, net] of Object.entries(networks)) {
      for (const cfg of net?.ipam?.config ?? []) {
        const subnet = typeof cfg?.subnet === "string" ? parseIpv4Cidr(cfg.subnet) : undefined;
        if (!subnet) continue;
        const hit = routes.find((r) => cidrsOverlap(r, subnet));
        if (hit) {
          out.push({
            rule: "OL005",
            severity: "error",
            path: pointer("networks", name, "ipam"),
            message: `network ${name} uses ${String(cfg.subnet)}, which overlaps the host route ${hit.text}`,
            fix: "pick a free range for egress.subnet_pool in config/mesh.yaml (see `ip -4 route`), then openlegion render",
          });
        }
      }
    }
    return out;
  },
};
