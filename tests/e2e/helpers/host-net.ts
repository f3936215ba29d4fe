import { createServer, type Server } from "node:net";
import { execa } from "execa";

/**
 * The host side of isolation probes (issue 8 step 5): TCP listeners on the host's gateway addresses
 * of a test's own Docker networks, and those addresses. Shared by the e2e files; nothing here
 * touches a network or a container the calling test did not create.
 */
export class HostListeners {
  readonly #servers: Server[] = [];

  /** Listens on `address` (a gateway IP of a test network) on a free port; every connection gets "host\n". */
  listen(address: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const server = createServer((socket) => {
        // A probe's `timeout` may reset the connection after reading; that is not a failure.
        socket.on("error", () => {});
        socket.end("host\n");
      });
      server.once("error", reject);
      server.listen(0, address, () => {
        this.#servers.push(server);
        resolve((server.address() as { port: number }).port);
      });
    });
  }

  async close(): Promise<void> {
    const all = this.#servers.splice(0);
    await Promise.all(all.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}

export interface NetworkGateway {
  network: string;
  gateway: string;
  internal: boolean;
}

/** The IPv4 gateway (the host's address) of each named network, as `docker network inspect` reports it. */
export async function networkGateways(networks: readonly string[]): Promise<NetworkGateway[]> {
  const out: NetworkGateway[] = [];
  for (const network of networks) {
    const r = await execa("docker", ["network", "inspect", network], { timeout: 60_000 });
    const net = JSON.parse(String(r.stdout))[0] as {
      Internal?: boolean;
      IPAM?: { Config?: { Gateway?: string; Subnet?: string }[] };
    };
    // A network created with an explicit subnet and no gateway (all of a fleet's, since issue 16) lists
    // no Gateway: Docker gives it the subnet's first host address.
    const v4 = net.IPAM?.Config?.find((c) => (c.Gateway ?? c.Subnet ?? ":").includes(":") === false);
    const first = v4?.Subnet ? firstHost(v4.Subnet) : undefined;
    const gateway = v4?.Gateway ?? first;
    if (gateway) out.push({ network, gateway, internal: net.Internal === true });
  }
  return out;
}

function firstHost(cidr: string): string | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/\d+$/.exec(cidr);
  return m ? `${m[1]}.${m[2]}.${m[3]}.${Number(m[4]) + 1}` : undefined;
}

/** Every network of a Compose project (by its Compose label). */
export async function projectNetworks(project: string): Promise<string[]> {
  const r = await execa(
    "docker",
    ["network", "ls", "--format", "{{.Name}}", "--filter", `label=com.docker.compose.project=${project}`],
    { timeout: 60_000 },
  );
  return String(r.stdout).split("\n").filter(Boolean).sort();
}
