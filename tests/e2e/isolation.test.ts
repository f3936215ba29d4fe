import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RenderRunResult, runRender } from "../../generator/render/index.js";
import { removeDir } from "../fixtures/render/cli.js";
import { makeFleet } from "../fixtures/render/fleet.js";
import { HostListeners, networkGateways } from "./helpers/host-net.js";

// Real Docker (issue 4): a 2-agent fleet from a stand-in Debian image; every probe targets only
// containers, networks and host listeners this test creates.
const IMAGE = "local/debian:bookworm";
const dockerUp = await execa("docker", ["info", "--format", "{{.ServerVersion}}"], {
  reject: false,
  timeout: 20_000,
}).then(
  (r) => r.exitCode === 0,
  () => false,
);
const composeBin = await execa("docker-compose", ["version", "--short"]).then(
  () => true,
  () => false,
);
const SKIP = !dockerUp || !composeBin;
if (SKIP)
  console.warn(
    `isolation e2e skipped: ${!dockerUp ? "Docker engine not reachable (docker info failed)" : "docker-compose not installed"}`,
  );

/** Listens on $OPENLEGION_PORT and answers "ok" to every connection (perl-base is in Debian minbase). */
const LISTENER = [
  "perl",
  "-MIO::Socket::INET",
  "-e",
  '$s = IO::Socket::INET->new(LocalPort => $ENV{OPENLEGION_PORT}, Listen => 16, ReuseAddr => 1) or die "listen: $!"; while ($c = $s->accept) { print $c "ok\\n"; close $c }',
];

const project = `oliso${process.pid}${Date.now() % 100000}`;
const pool = `10.${200 + (process.pid % 50)}.${((process.pid >> 4) % 16) * 16}.0/24`;
let dir = "";
let rendered: RenderRunResult;
const hostListeners = new HostListeners();

const compose = (...args: string[]) =>
  execa("docker-compose", ["-p", project, ...args], { cwd: dir, timeout: 180_000 });
async function container(service: string): Promise<string> {
  return String((await compose("ps", "-q", service)).stdout).trim();
}
// biome-ignore lint/suspicious/noExplicitAny: docker inspect JSON, read field by field in assertions
type Inspect = Record<string, any>;
async function inspect(id: string): Promise<Inspect> {
  return JSON.parse(String((await execa("docker", ["inspect", id])).stdout))[0];
}
/** A 3-second TCP connect from inside a container; true when it connected and read "ok" or opened. */
async function canConnect(from: string, host: string, port: number): Promise<boolean> {
  const script = `exec 3<>/dev/tcp/${host}/${port} && echo open`;
  const r = await execa("docker", ["exec", from, "timeout", "3", "bash", "-c", script], { reject: false });
  return r.exitCode === 0 && String(r.stdout).includes("open");
}
describe.skipIf(SKIP)("isolation of a rendered fleet on real Docker", () => {
  beforeAll(async () => {
    const images = await execa("docker", ["image", "inspect", IMAGE], { reject: false });
    if (images.exitCode !== 0) {
      await execa("bash", [join(import.meta.dirname, "../../images/base/build-local.sh")], {
        timeout: 900_000,
      });
    }
    dir = await mkdtemp(join(tmpdir(), "ol-isolation-"));
    const fleet = makeFleet({
      agents: { agents: { a: { image: IMAGE, resources: { memory_limit: "256m" } }, b: { image: IMAGE } } },
      mesh: { egress: { subnet_pool: pool } },
    });
    rendered = await runRender(fleet, {
      dir,
      toolVersion: "0.0.0-e2e",
      standIn: { image: IMAGE, command: LISTENER, healthcheck: ["CMD", "true"] },
    });
    await compose("up", "-d");
  }, 900_000);

  afterAll(async () => {
    await hostListeners.close();
    if (dir) {
      await compose("down", "-v", "--remove-orphans").catch(() => undefined);
      await removeDir(dir);
    }
  }, 180_000);

  it("lets agent-a reach mesh and egress-proxy by name and nothing else", async () => {
    const a = await container("agent-a");
    const b = await inspect(await container("agent-b"));
    const proxy = await inspect(await container("egress-proxy"));
    const mesh = await inspect(await container("mesh"));
    expect(await canConnect(a, "mesh", 8420)).toBe(true);
    expect(await canConnect(a, "egress-proxy", 8480)).toBe(true);
    // agent-b: its name does not resolve and its address is unreachable.
    expect(await canConnect(a, "agent-b", 8400)).toBe(false);
    const [bNet] = Object.values(b.NetworkSettings.Networks) as { IPAddress: string }[];
    const bIp = bNet?.IPAddress as string;
    expect(await canConnect(a, bIp, 8400)).toBe(false);
    // The egress and ingress networks: the proxy's and the mesh's addresses there are out of reach.
    const proxyEgressIp = proxy.NetworkSettings.Networks[`${project}_egress`].IPAddress as string;
    const meshIngressIp = mesh.NetworkSettings.Networks[`${project}_ingress`].IPAddress as string;
    expect(await canConnect(a, proxyEgressIp, 8480)).toBe(false);
    expect(await canConnect(a, meshIngressIp, 8420)).toBe(false);
  });

  it("keeps the host's gateway addresses of the test's networks out of an agent's reach", async () => {
    const a = await container("agent-a");
    const proxy = await container("egress-proxy");
    const aNet = Object.keys((await inspect(a)).NetworkSettings.Networks)[0]!;
    const names = [...["egress", "ingress", "control"].map((n) => `${project}_${n}`), aNet];
    for (const name of names) {
      const net = JSON.parse(String((await execa("docker", ["network", "inspect", name])).stdout))[0];
      if (name === aNet || name.endsWith("control")) {
        expect(net.Internal).toBe(true);
        expect(net.Options["com.docker.network.bridge.inhibit_ipv4"]).toBe("true");
      }
      expect(net.EnableIPv6).toBe(false);
    }
    const gateways = (await networkGateways(names)).map((g) => g.gateway);
    const egressGw = gateways[0]!;
    const port = await hostListeners.listen(egressGw);
    // The listener is real: the proxy (on the non-internal egress network) reaches it.
    expect(await canConnect(proxy, egressGw, port)).toBe(true);
    for (const gw of gateways) expect(await canConnect(a, gw, port), gw).toBe(false);
  });

  it("shows hardening in effect and no secret value in any container's config", async () => {
    const secrets = [...rendered.model.secrets.values.values()];
    for (const service of ["agent-a", "agent-b", "mesh", "egress-proxy"]) {
      const info = await inspect(await container(service));
      const json = JSON.stringify(info);
      for (const value of secrets) expect(json, `${service} leaks a secret`).not.toContain(value);
      expect(info.HostConfig.ReadonlyRootfs).toBe(true);
      expect(info.HostConfig.CapDrop).toEqual(["ALL"]);
      expect(info.HostConfig.SecurityOpt).toContain("no-new-privileges:true");
      expect(info.HostConfig.PidsLimit).toBeGreaterThan(0);
      expect(info.HostConfig.Memory).toBeGreaterThan(0);
      expect(info.HostConfig.MemorySwap).toBe(info.HostConfig.Memory);
      expect(info.HostConfig.Init).toBe(true);
      expect(info.HostConfig.Privileged).toBe(false);
      expect(info.Config.User).toBe("1000:1000");
      expect(info.Config.Labels["io.openlegion.config-hash"]).toMatch(/^[0-9a-f]{64}$/);
    }
    const a = await inspect(await container("agent-a"));
    expect(a.HostConfig.Memory).toBe(256 * 1024 * 1024);
    expect(a.HostConfig.PortBindings ?? {}).toEqual({});
    const listing = await execa("docker", ["exec", a.Id, "ls", "/run/secrets"]);
    // Its own token and the token it verifies the mesh with; never the master key or a provider key.
    expect(String(listing.stdout).trim().split("\n")).toEqual(["agent_token", "mesh_token"]);
    const uid = await execa("docker", ["exec", a.Id, "id", "-u"]);
    expect(String(uid.stdout).trim()).toBe("1000");
    const write = await execa("docker", ["exec", a.Id, "touch", "/x"], { reject: false });
    expect(write.exitCode).not.toBe(0);
  });
});
