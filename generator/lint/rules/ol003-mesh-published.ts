import { type Finding, type LintContext, pointer, type Rule, servicesOf } from "../types.js";

const LOOPBACK = /^127\.\d+\.\d+\.\d+$/;

/** A published port whose host address is not loopback (0.0.0.0, a LAN address, or none at all). */
export const ol003: Rule = {
  id: "OL003",
  name: "port-published-beyond-loopback",
  check(ctx: LintContext): Finding[] {
    const out: Finding[] = [];
    for (const [name, service] of Object.entries(servicesOf(ctx))) {
      const ports = Array.isArray(service.ports) ? service.ports : [];
      ports.forEach((port, i) => {
        const spec =
          typeof port === "object" && port !== null
            ? ((port as { host_ip?: string }).host_ip ?? "")
            : String(port);
        const host =
          typeof port === "object" ? spec : spec.split(":").length === 3 ? spec.split(":")[0]! : "";
        if (!LOOPBACK.test(host)) {
          out.push({
            rule: "OL003",
            severity: name === "mesh" ? "error" : "error",
            path: pointer("services", name, "ports", String(i)),
            message: `${name} publishes ${JSON.stringify(port)} on ${host || "every interface"}: anyone who can reach this host can call it`,
            fix: "set mesh.host to 127.0.0.1 in config/mesh.yaml (put a TLS reverse proxy in front for remote access), then openlegion render",
          });
        }
      });
    }
    return out;
  },
};
