import { createServer } from "node:net";
import { cidrsOverlap, parseIpv4Cidr } from "../../services/common/ipv4-cidr.js";
import { MESH_PORT } from "../../services/common/ports.js";
import type { DockerHost } from "../docker/host.js";

/** Pools `init` tries in order: 10.231.0.0/16 (the default), then 10.232.0.0/16 … 10.254.0.0/16. */
export const POOL_CANDIDATES: readonly string[] = Array.from(
  { length: 24 },
  (_, i) => `10.${231 + i}.0.0/16`,
);

/** Pure: the first candidate pool that overlaps none of `taken` (subnets in use), or undefined. */
export function pickPool(taken: readonly string[], candidates = POOL_CANDIDATES): string | undefined {
  const used = taken.flatMap((t) => parseIpv4Cidr(t) ?? []);
  return candidates.find((c) => {
    const pool = parseIpv4Cidr(c);
    return pool !== undefined && !used.some((u) => cidrsOverlap(pool, u));
  });
}

/** Every IPv4 subnet of every Docker network on this host (empty when Docker does not answer). */
export async function dockerSubnets(host: DockerHost | undefined): Promise<string[]> {
  if (!host) return [];
  const ids = (await host.docker(["network", "ls", "-q"], true)).stdout.split("\n").filter(Boolean);
  if (ids.length === 0) return [];
  const r = await host.docker(
    ["network", "inspect", "--format", "{{range .IPAM.Config}}{{.Subnet}} {{end}}", ...ids],
    true,
  );
  return r.stdout.split(/\s+/).filter((s) => parseIpv4Cidr(s) !== undefined);
}

/** True when nothing listens on host:port (we could bind it). */
export function portFree(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}

/** The first free port from 8420 up (20 tries), skipping `reserved`; 8420 when none is free. */
export async function pickMeshPort(
  isFree: (port: number) => Promise<boolean> = portFree,
  reserved: readonly number[] = [],
): Promise<number> {
  for (let port = MESH_PORT; port < MESH_PORT + 20; port++)
    if (!reserved.includes(port) && (await isFree(port))) return port;
  return MESH_PORT;
}
