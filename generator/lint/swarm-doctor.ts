import { z } from "zod";
import type { DoctorFinding } from "./doctor.js";

/**
 * `doctor --target swarm`: the Swarm's own traps (issue 21 §5), judged from what the CLI gathered
 * from the manager (pure). Node facts come from `docker node inspect` (one JSON object per node).
 */
export const swarmNodeSchema = z.object({
  Description: z.object({
    Hostname: z.string(),
    Engine: z.object({ EngineVersion: z.string() }),
  }),
  Spec: z.object({ Labels: z.record(z.string(), z.string()).nullish(), Availability: z.string() }),
  Status: z.object({ State: z.string() }),
});
export type SwarmNodeFacts = z.infer<typeof swarmNodeSchema>;

export interface SwarmProbe {
  /** `docker info` Swarm.LocalNodeState and ControlAvailable, e.g. "active true". */
  swarmState: string | undefined;
  nodes: SwarmNodeFacts[];
  /** Agent services of docker-stack.yml whose networks are not all internal (they would get docker_gwbridge). */
  agentsWithRouteOut: string[] | undefined;
}

const cmp = (a: readonly number[], b: readonly number[]): number =>
  a[0]! - b[0]! || a[1]! - b[1]! || a[2]! - b[2]!;

/** Fixed in 20.10.24 and 23.0.3 (CVE-2023-28840, -28841, -28842); no 21.x or 22.x was released. */
export function overlayEncryptionSafe(version: string): boolean {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!m) return false;
  const v = [Number(m[1]), Number(m[2]), Number(m[3])];
  return cmp(v, [23, 0, 3]) >= 0 || (cmp(v, [20, 10, 24]) >= 0 && v[0]! < 23);
}

const roleOf = (n: SwarmNodeFacts): string | undefined => n.Spec.Labels?.["openlegion.role"] ?? undefined;
const usable = (n: SwarmNodeFacts): boolean =>
  n.Status.State.toLowerCase() === "ready" && n.Spec.Availability.toLowerCase() === "active";

export function swarmDoctorFindings(p: SwarmProbe): DoctorFinding[] {
  if (p.swarmState !== "active true")
    return [
      {
        check: "swarm",
        status: "error",
        message: `the engine at DOCKER_HOST is not a Swarm manager (${p.swarmState ?? "unreachable"})`,
        fix: "run `docker swarm init` on the first node (then `docker swarm join` the others), or point DOCKER_HOST at a manager",
      },
    ];
  const out: DoctorFinding[] = [{ check: "swarm", status: "ok", message: `${p.nodes.length} node(s)` }];
  const core = p.nodes.filter((n) => roleOf(n) === "core" && usable(n));
  const agents = p.nodes.filter((n) => roleOf(n) === "agents" && usable(n));
  const label = (role: string) => `docker node update --label-add openlegion.role=${role} <node>`;
  if (core.length === 0)
    out.push({
      check: "core node",
      status: "error",
      message: "no ready node is labelled openlegion.role=core: mesh and egress-proxy cannot be placed",
      fix: label("core"),
    });
  else if (core.length > 1)
    out.push({
      check: "core node",
      status: "warning",
      message: `${core.length} nodes are labelled core (${core.map((n) => n.Description.Hostname).join(", ")}): the mesh's and proxy's SQLite volumes are local, so a task moved to another core node starts empty`,
      fix: "label exactly one node core (or give the operator's volume driver to mesh-data and egress-proxy-data)",
    });
  else out.push({ check: "core node", status: "ok", message: core[0]!.Description.Hostname });
  out.push(
    agents.length === 0
      ? {
          check: "agent nodes",
          status: "error",
          message: "no ready node is labelled openlegion.role=agents: agents cannot be placed",
          fix: label("agents"),
        }
      : { check: "agent nodes", status: "ok", message: agents.map((n) => n.Description.Hostname).join(", ") },
  );
  const unsafe = p.nodes.filter((n) => !overlayEncryptionSafe(n.Description.Engine.EngineVersion));
  out.push(
    unsafe.length > 0
      ? {
          check: "overlay encryption",
          status: "error",
          message: `engines on ${unsafe.map((n) => `${n.Description.Hostname} (${n.Description.Engine.EngineVersion})`).join(", ")} may send encrypted-overlay traffic in plaintext (CVE-2023-28840/28841/28842)`,
          fix: "upgrade every node to Docker Engine ≥ 23.0.3 (or 20.10.24)",
        }
      : {
          check: "overlay encryption",
          status: "ok",
          message: "every engine has the encrypted-overlay fixes",
        },
  );
  out.push({
    check: "node firewall",
    status: "ok",
    message:
      "between nodes allow TCP 2377, TCP+UDP 7946, UDP 4789 and IP protocol 50 (ESP: encrypted overlays, which also need the esp4 kernel module); doctor cannot see firewalls or remote kernels",
  });
  if (p.agentsWithRouteOut !== undefined)
    out.push(
      p.agentsWithRouteOut.length > 0
        ? {
            check: "agent routes",
            status: "error",
            message: `${p.agentsWithRouteOut.join(", ")} join a non-internal network: Swarm gives such tasks a default route through docker_gwbridge`,
            fix: "re-render with openlegion render --target swarm; never hand-edit docker-stack.yml",
          }
        : {
            check: "agent routes",
            status: "ok",
            message: "agents join only internal overlays (no docker_gwbridge route)",
          },
    );
  return out;
}
