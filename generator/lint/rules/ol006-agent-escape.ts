import { type Finding, isAgentService, type LintContext, pointer, type Rule, servicesOf } from "../types.js";

/** Keys that hand a container the host (or the network) and never belong on an agent or the proxy. */
const FORBIDDEN = [
  "privileged",
  "devices",
  "cap_add",
  "extra_hosts",
  "network_mode",
  "pid",
  "ipc",
  "userns_mode",
  "uts",
  "cgroup",
];

export const ol006: Rule = {
  id: "OL006",
  name: "agent-escape-hatch",
  check(ctx: LintContext): Finding[] {
    const out: Finding[] = [];
    for (const [name, service] of Object.entries(servicesOf(ctx))) {
      const agent = isAgentService(name, service);
      const keys = [...FORBIDDEN, ...(agent || name === "egress-proxy" ? ["ports"] : [])];
      for (const key of keys) {
        if (service[key] === undefined || service[key] === false) continue;
        out.push({
          rule: "OL006",
          severity: "error",
          path: pointer("services", name, key),
          message: `${name} sets ${key}, which breaks the isolation the fleet relies on`,
          fix: `remove ${key} from ${name} (edit config/, not docker-compose.yml, then openlegion render)`,
        });
      }
      const volumes = Array.isArray(service.volumes) ? service.volumes : [];
      volumes.forEach((v, i) => {
        const text = typeof v === "string" ? v : JSON.stringify(v);
        if (/docker\.sock|\/var\/run\/docker|\/run\/containerd|(^|[\s"])\/:/.test(text)) {
          out.push({
            rule: "OL006",
            severity: "error",
            path: pointer("services", name, "volumes", String(i)),
            message: `${name} mounts ${text}: the Docker socket or host root gives full control of the host`,
            fix: `remove the mount from ${name}; Compose owns the lifecycle, no service needs the socket`,
          });
        }
      });
    }
    return out;
  },
};
