/**
 * A real three-node Docker Swarm on this machine for the e2e suite: three Docker engines in
 * privileged containers (Debian's docker.io on the locally built Debian base), one manager and two
 * workers, joined over a network the suite creates. The host talks to each engine over TCP on that
 * network only. Addresses: the nodes' network from 10.242.0.0/16 (this suite's pool on the host);
 * everything inside the nodes (docker0, docker_gwbridge, overlays, the fleet's agent subnets) from
 * 10.243.0.0/16. One swarm serves the whole suite; `destroy` removes every container, network and
 * volume it made.
 */
import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { ROOT, waitFor } from "../../helpers/fleet.js";

const DIND_DIR = join(ROOT, "tests", "e2e", "swarm", "dind");
const FAKE_DIR = join(ROOT, "tests", "e2e", "swarm", "fake");
const VERSION = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
export const SERVICE_IMAGES = ["mesh", "egress-proxy", "agent"].map((s) => `openlegion/${s}:${VERSION}`);
export const NODE_NET_SUBNET = "10.242.250.0/24";
/** Inside the nodes: the fleet's agent overlays (mesh.yaml egress.subnet_pool). */
export const FLEET_POOL = "10.243.64.0/18";
/** Inside the nodes: Swarm's pool for overlays without an explicit subnet (egress, ingress). */
const SWARM_POOL = "10.243.128.0/18";

/**
 * What a Docker engine in a container needs, short of `--privileged`: privileged asks for every
 * capability the engine knows, and fails ("unable to apply caps") on hosts whose engine runs
 * without one (here CAP_SYS_RESOURCE). The entrypoint remounts /sys and the cgroups rw.
 */
const NODE_PRIVILEGES = [
  ...["--cap-add", "ALL", "--cap-drop", "SYS_RESOURCE"],
  ...["--security-opt", "seccomp=unconfined", "--security-opt", "apparmor=unconfined"],
  ...["--security-opt", "systempaths=unconfined", "--device-cgroup-rule", "a *:* rwm"],
];

export interface SwarmNode {
  name: "manager" | "worker-1" | "worker-2";
  container: string;
  ip: string;
  /** DOCKER_HOST of this node's engine. */
  host: string;
}

export async function docker(
  args: string[],
  opts: { host?: string; input?: string; allowFailure?: boolean } = {},
) {
  const r = await execa("docker", opts.host ? ["-H", opts.host, ...args] : args, {
    reject: false,
    timeout: 600_000,
    ...(opts.input !== undefined ? { input: opts.input } : {}),
  });
  if (r.exitCode !== 0 && !opts.allowFailure)
    throw new Error(`docker ${args.slice(0, 3).join(" ")}: ${String(r.stderr).slice(-2000)}`);
  return { code: r.exitCode ?? 1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

const contentTag = (...files: string[]): string => {
  const h = createHash("sha256");
  for (const f of files) h.update(readFileSync(f));
  return h.digest("hex").slice(0, 12);
};

/** Builds an image once per content: a tag that exists is reused (CI caches it across runs). */
async function ensureImage(ref: string, context: string, args: string[] = []): Promise<string> {
  if ((await docker(["image", "inspect", ref], { allowFailure: true })).code !== 0)
    await docker(["build", "-q", "-t", ref, ...args, context]);
  return ref;
}

export const nodeImage = () =>
  ensureImage(
    `openlegion-test/swarm-node:${contentTag(join(DIND_DIR, "Dockerfile"), join(DIND_DIR, "entrypoint.sh"))}`,
    DIND_DIR,
  );

/** The fake provider baked into an image on top of the agent image (same Node and zod). */
export async function fakeImage(): Promise<string> {
  const src = join(ROOT, "tests", "fakes", "llm-provider");
  const files = (await execa("sh", ["-c", `ls ${src}/*.ts`])).stdout.split("\n").sort();
  const agent = (
    await docker(["image", "inspect", "--format", "{{.Id}}", `openlegion/agent:${VERSION}`])
  ).stdout.trim();
  const tag = createHash("sha256")
    .update(agent)
    .update(readFileSync(join(FAKE_DIR, "Dockerfile")))
    .update(contentTag(...files))
    .digest("hex")
    .slice(0, 12);
  return ensureImage(`openlegion-test/fake-llm:${tag}`, src, [
    "-f",
    join(FAKE_DIR, "Dockerfile"),
    "--build-arg",
    `AGENT_IMAGE=openlegion/agent:${VERSION}`,
  ]);
}

/** Does the (shared) kernel carry IPsec ESP, which encrypted overlays need? */
export async function kernelHasEsp(): Promise<boolean> {
  const r = await execa(
    "sh",
    ["-c", "test -d /sys/module/esp4 || zcat /proc/config.gz 2>/dev/null | grep -q '^CONFIG_INET_ESP=[ym]'"],
    { reject: false },
  );
  return r.exitCode === 0;
}

export class TestSwarm {
  readonly id = randomBytes(3).toString("hex");
  readonly network = `olswarm-${this.id}`;
  nodes: SwarmNode[] = [];

  get manager(): SwarmNode {
    return this.nodes[0]!;
  }
  node(name: SwarmNode["name"]): SwarmNode {
    return this.nodes.find((n) => n.name === name)!;
  }

  /** Three engines, one swarm (manager labelled core, workers labelled agents), images on every node. */
  async create(images: { all: string[]; core: string[] }): Promise<void> {
    const image = await nodeImage();
    await docker([
      "network",
      "create",
      "--internal",
      "--subnet",
      NODE_NET_SUBNET,
      "--label",
      "io.openlegion.test=swarm",
      this.network,
    ]);
    const names = ["manager", "worker-1", "worker-2"] as const;
    for (const [i, name] of names.entries()) {
      const ip = `10.242.250.${10 + i}`;
      const container = `${this.network}-${name}`;
      await docker([
        "run",
        "-d",
        ...NODE_PRIVILEGES,
        "--name",
        container,
        "--hostname",
        name,
        "--network",
        this.network,
        "--ip",
        ip,
        "--label",
        "io.openlegion.test=swarm",
        "-v",
        `${container}:/var/lib/docker`,
        "-e",
        "OL_POOL=10.243.0.0/19",
        "-e",
        "OL_BIP=10.243.63.1/24",
        image,
      ]);
      this.nodes.push({ name, container, ip, host: `tcp://${ip}:2375` });
    }
    for (const n of this.nodes)
      await waitFor(
        `engine on ${n.name}`,
        async () =>
          (await docker(["info"], { host: n.host, allowFailure: true })).code === 0 ? true : undefined,
        90_000,
      );
    const m = this.manager;
    await docker(
      [
        "swarm",
        "init",
        "--advertise-addr",
        m.ip,
        "--default-addr-pool",
        SWARM_POOL,
        "--default-addr-pool-mask-length",
        "24",
      ],
      { host: m.host },
    );
    const token = (await docker(["swarm", "join-token", "-q", "worker"], { host: m.host })).stdout.trim();
    for (const n of this.nodes.slice(1))
      await docker(["swarm", "join", "--token", token, `${m.ip}:2377`], { host: n.host });
    await docker(["node", "update", "--label-add", "openlegion.role=core", "manager"], { host: m.host });
    for (const w of ["worker-1", "worker-2"])
      await docker(["node", "update", "--label-add", "openlegion.role=agents", w], { host: m.host });
    // Images reach each node as `docker save | docker load` would on an air-gapped swarm.
    await Promise.all(
      this.nodes.map(async (n) => {
        const refs = n.name === "manager" ? [...images.all, ...images.core] : images.all;
        const saved = await execa(
          "sh",
          ["-c", `docker save ${refs.join(" ")} | docker -H ${n.host} load -q`],
          { reject: false, timeout: 600_000 },
        );
        if (saved.exitCode !== 0) throw new Error(`image load on ${n.name}: ${saved.stderr}`);
      }),
    );
  }

  /** The container of a stack service's running task, and the node it runs on. */
  async taskContainer(stack: string, service: string): Promise<{ node: SwarmNode; id: string }> {
    return waitFor(
      `a running container of ${service}`,
      async () => {
        for (const n of this.nodes) {
          const r = await docker(
            [
              "ps",
              "-q",
              "--no-trunc",
              "--filter",
              `label=com.docker.swarm.service.name=${stack}_${service}`,
              "--filter",
              "status=running",
            ],
            { host: n.host, allowFailure: true },
          );
          const id = r.stdout.trim().split("\n")[0];
          if (r.code === 0 && id) return { node: n, id };
        }
        return undefined;
      },
      120_000,
    );
  }

  /** Why a stack's tasks failed: every task's state and error, and each service's last log lines. */
  async diagnose(stack: string): Promise<string> {
    const host = this.manager.host;
    const services = (
      await docker(["service", "ls", "-q", "--filter", `label=com.docker.stack.namespace=${stack}`], { host })
    ).stdout
      .split("\n")
      .filter(Boolean);
    const tasks = await docker(
      [
        "service",
        "ps",
        "--no-trunc",
        "--format",
        "{{.Name}} {{.Node}} {{.CurrentState}} {{.Error}}",
        ...services,
      ],
      { host, allowFailure: true },
    );
    const logs = await Promise.all(
      services.map(async (s) => {
        const r = await docker(["service", "logs", "--raw", "--tail", "15", s], { host, allowFailure: true });
        return `--- ${s}\n${r.stdout.slice(-3000)}${r.stderr.slice(-3000)}`;
      }),
    );
    return `\n${tasks.stdout}${tasks.stderr}\n${logs.join("\n")}`;
  }

  async exec(node: SwarmNode, container: string, argv: string[]) {
    return docker(["exec", container, ...argv], { host: node.host, allowFailure: true });
  }

  /** Stops a node's engine container (the node goes down as if its host had failed). */
  async stopNode(name: SwarmNode["name"]): Promise<void> {
    await docker(["stop", "-t", "5", this.node(name).container]);
  }

  async destroy(): Promise<void> {
    const ids = (
      await docker(["ps", "-aq", "--filter", `name=${this.network}-`], { allowFailure: true })
    ).stdout
      .split("\n")
      .filter(Boolean);
    if (ids.length > 0) await docker(["rm", "-f", "-v", ...ids], { allowFailure: true });
    for (const n of ["manager", "worker-1", "worker-2"])
      await docker(["volume", "rm", `${this.network}-${n}`], { allowFailure: true });
    await docker(["network", "rm", this.network], { allowFailure: true });
  }
}
