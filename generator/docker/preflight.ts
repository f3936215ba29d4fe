import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { cidrsOverlap, parseIpv4Cidr } from "../../services/common/ipv4-cidr.js";
import { COMPOSE_FILE, parseRendered } from "../render/index.js";
import { FleetErrors } from "./errors.js";
import type { DockerHost } from "./host.js";
import type { ContainerInfo } from "./parse.js";

/** A Docker network on this host: its Compose project (if any) and its IPv4 subnets. */
export interface HostNetwork {
  name: string;
  project: string;
  subnets: string[];
}

/** What `up` and `doctor` check before anything is created: the mesh port and the fleet's subnets. */
export interface PlaceProblem {
  what: "port" | "pool";
  message: string;
}

/**
 * Pure. Subnets of the rendered file that overlap a network of another project (or none), and a
 * published mesh port something else listens on (`portBusy`, only asked when our mesh is not running).
 */
export function placeProblems(input: {
  fleetSubnets: readonly string[];
  project: string;
  networks: readonly HostNetwork[];
  mesh: { host: string; port: number; busy: boolean };
  freePool?: string;
}): PlaceProblem[] {
  const out: PlaceProblem[] = [];
  const clash = new Set<string>();
  for (const subnet of input.fleetSubnets) {
    const ours = parseIpv4Cidr(subnet);
    if (!ours) continue;
    for (const n of input.networks) {
      if (n.project === input.project) continue;
      if (
        n.subnets.some((s) => {
          const t = parseIpv4Cidr(s);
          return t !== undefined && cidrsOverlap(ours, t);
        })
      )
        clash.add(`${n.name}${n.project ? ` (project ${n.project})` : ""}`);
    }
  }
  if (clash.size > 0)
    out.push({
      what: "pool",
      message: `this fleet's subnets overlap Docker network ${[...clash].slice(0, 3).join(", ")}: set egress.subnet_pool in config/mesh.yaml to a free pool${input.freePool ? ` (e.g. "${input.freePool}")` : ""}, then run openlegion up again`,
    });
  if (input.mesh.busy)
    out.push({
      what: "port",
      message: `${input.mesh.host}:${input.mesh.port} is already in use by another program: set mesh.port in config/mesh.yaml to a free port (e.g. ${input.mesh.port + 1}), then run openlegion up again`,
    });
  return out;
}

/** Subnets of every network a rendered docker-compose.yml declares. */
export function renderedSubnets(composeText: string): string[] {
  const file = parseRendered(composeText) as {
    networks?: Record<string, { ipam?: { config?: { subnet?: string }[] } }>;
  };
  return Object.values(file.networks ?? {}).flatMap((n) =>
    (n?.ipam?.config ?? []).flatMap((c) => c.subnet ?? []),
  );
}

/** Every Docker network with its project label and subnets. */
export async function hostNetworks(host: DockerHost): Promise<HostNetwork[]> {
  const ids = (await host.docker(["network", "ls", "-q"], true)).stdout.split("\n").filter(Boolean);
  if (ids.length === 0) return [];
  const r = await host.docker(
    [
      "network",
      "inspect",
      "--format",
      '{{.Name}}|{{index .Labels "com.docker.compose.project"}}|{{range .IPAM.Config}}{{.Subnet}} {{end}}',
      ...ids,
    ],
    true,
  );
  return r.stdout
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [name = "", project = "", subnets = ""] = line.split("|");
      return { name, project, subnets: subnets.split(" ").filter(Boolean) };
    });
}

/** The place problems of the rendered fleet in `dir` on this host (what `up` and `doctor` check). */
export async function placeProblemsOf(
  dir: string,
  project: string,
  containers: readonly ContainerInfo[],
  docker: DockerHost,
): Promise<{ problems: PlaceProblem[]; mesh: string }> {
  const [{ meshTarget }, { portFree, pickPool }] = await Promise.all([
    import("../client/target.js"),
    import("../init/free-place.js"),
  ]);
  const url = new URL((await meshTarget(dir)).url);
  const port = Number(url.port);
  const meshUp = containers.some((c) => c.service === "mesh" && c.state === "running");
  const networks = await hostNetworks(docker);
  const problems = placeProblems({
    fleetSubnets: renderedSubnets(await readFile(join(dir, COMPOSE_FILE), "utf8")),
    project,
    networks,
    mesh: { host: url.hostname, port, busy: !meshUp && !(await portFree(port, url.hostname)) },
    freePool: pickPool(networks.flatMap((n) => n.subnets)),
  });
  return { problems, mesh: url.host };
}

/** Throws FleetErrors.placeTaken with every problem and its fix; nothing has been created yet. */
export function assertPlace(problems: readonly PlaceProblem[]): void {
  if (problems.length > 0)
    throw FleetErrors.placeTaken(
      `cannot start here, nothing was created:\n  ${problems.map((p) => p.message).join("\n  ")}`,
    );
}
