import type { CliIo } from "../cli/io.js";
import { packageRoot, packageVersion } from "../init/package-root.js";
import { PACKAGES_IMAGE_REPO } from "../render/packages.js";
import { buildImages } from "./build.js";
import { describeCompose } from "./compose.js";
import { FleetErrors } from "./errors.js";
import { DockerHost } from "./host.js";
import { DEFAULT_NODE_IMAGE, SERVICE_IMAGES, type ServiceImage } from "./images.js";
import { bakeFleetPackages } from "./packages-image.js";
import type { ContainerInfo } from "./parse.js";
import { projectName } from "./project.js";
import { type RenderedFleet, readRendered } from "./rendered.js";
import { waitHealthy } from "./wait.js";

export interface UpOptions {
  dir: string;
  /** Render before starting (default true). */
  render: boolean;
  /** auto: build only missing images; always; never. */
  build: "auto" | "always" | "never";
  timeoutS: number;
}

/** Renders the fleet (config → docker-compose.yml + compose/ + secrets) and says what changed. */
export async function renderFleet(dir: string, io: CliIo): Promise<void> {
  const [{ loadFleet }, { runRender }] = await Promise.all([
    import("../config/load.js"),
    import("../render/run.js"),
  ]);
  const fleet = await loadFleet(dir, { requireEnv: true });
  const result = await runRender(fleet, { dir, toolVersion: packageVersion() });
  const r = result.report;
  if (r)
    io.stdout(
      `✓ rendered ${fleet.agents.length} agent(s): ${r.written.length} file(s) written, ${r.unchanged.length} unchanged\n`,
    );
}

/** Images named openlegion/<service>:<tag> that are not present locally, as the services to build. */
export async function missingImages(host: DockerHost, images: readonly string[]): Promise<ServiceImage[]> {
  const missing: ServiceImage[] = [];
  for (const ref of images) {
    const m = /^openlegion\/(mesh|egress-proxy|agent|browser):/.exec(ref);
    if (!m) continue;
    if (!(await host.imageExists(ref))) missing.push(m[1] as ServiceImage);
  }
  return SERVICE_IMAGES.filter((s) => missing.includes(s));
}

/**
 * `openlegion up`: render, build missing images, `compose up -d --remove-orphans`, then wait until
 * every service is healthy with a live line per service. Compose recreates only the services whose
 * config-hash label changed, so re-running `up` after an edit touches exactly what changed.
 */
export async function runUp(
  opts: UpOptions,
  io: CliIo,
  host?: DockerHost,
): Promise<{ host: DockerHost; project: string }> {
  const docker = host ?? (await DockerHost.open(io.env));
  if (opts.render) await renderFleet(opts.dir, io);
  const fleet = await readRendered(opts.dir);
  const project = projectName(opts.dir, io.env);
  const version = packageVersion();
  const write = (t: string) => io.stdout(t);
  const toBuild =
    opts.build === "always"
      ? [...SERVICE_IMAGES]
      : opts.build === "never"
        ? []
        : await missingImages(docker, fleet.images);
  if (toBuild.length > 0) {
    io.stdout(`▸ building ${toBuild.map((s) => `openlegion/${s}:${version}`).join(", ")}\n`);
    await buildImages(docker, { root: packageRoot(), version, noCache: false, only: toBuild, write });
  }
  const packagesImage = fleet.images.find((ref) => ref.startsWith(`${PACKAGES_IMAGE_REPO}:`));
  if (
    packagesImage &&
    opts.build !== "never" &&
    (opts.build === "always" || !(await docker.imageExists(packagesImage)))
  )
    await bakeFleetPackages(docker, opts.dir, {
      root: packageRoot(),
      version,
      nodeImage: DEFAULT_NODE_IMAGE,
      noCache: false,
      write,
    });
  const containers = await docker.containers(project);
  await checkPlace(opts.dir, project, containers, docker);
  const plan = planUp(fleet, containers);
  await reloadRunning(opts.dir, containers, plan, io);
  const what =
    plan.changed.length === fleet.services.length
      ? "starting"
      : `updating ${plan.changed.join(", ") || "nothing"} of`;
  io.stdout(
    `▸ ${what} ${fleet.services.length} services (project ${project}, ${describeCompose(docker.cli)})\n`,
  );
  const composeOpts = { cwd: opts.dir, projectName: project, timeoutMs: opts.timeoutS * 1000 + 60_000 };
  // Ctrl-C reaches docker-compose too (same process group); we stay to say what is up and what next.
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
  };
  process.on("SIGINT", onSigint);
  try {
    const up = (async () => {
      for (const [i, services] of plan.steps.entries()) {
        const noDeps = services.length > 0 ? ["--no-deps"] : [];
        const orphans = i === 0 ? ["--remove-orphans"] : [];
        await docker.compose(["up", "-d", ...noDeps, ...orphans, ...services], composeOpts);
      }
    })();
    up.catch(() => undefined);
    await waitHealthy(docker, {
      project,
      services: fleet.services,
      timeoutMs: opts.timeoutS * 1000,
      write,
      tty: io.isTTY,
      alongside: up,
    });
    await up;
  } catch (error) {
    await whereItStopped(docker, project, fleet.services, io, interrupted);
    throw error;
  } finally {
    process.off("SIGINT", onSigint);
  }
  io.stdout(`✓ fleet is up: ${fleet.services.length} services healthy\n`);
  return { host: docker, project };
}

/** Before anything is created: the mesh port is free and no other network overlaps our subnets. */
async function checkPlace(
  dir: string,
  project: string,
  containers: readonly ContainerInfo[],
  docker: DockerHost,
): Promise<void> {
  const { placeProblemsOf, assertPlace } = await import("./preflight.js");
  assertPlace((await placeProblemsOf(dir, project, containers, docker)).problems);
}

/** After a failed or interrupted `up`: which services run, which do not, and what to run next. */
async function whereItStopped(
  docker: DockerHost,
  project: string,
  services: readonly string[],
  io: CliIo,
  interrupted: boolean,
): Promise<void> {
  const running = new Set(
    (await docker.containers(project).catch(() => []))
      .filter((c) => c.state === "running")
      .map((c) => c.service),
  );
  const up = services.filter((s) => running.has(s));
  const down = services.filter((s) => !running.has(s));
  io.stderr(
    [
      interrupted ? "\nup interrupted." : "\nup did not finish.",
      `  running:     ${up.join(", ") || "none"}`,
      `  not running: ${down.join(", ") || "none"}`,
      "next: openlegion up (again: it picks up where this stopped), openlegion logs <service> (why), or openlegion down (stop what runs)",
      "",
    ].join("\n"),
  );
}

/**
 * Mesh and proxy that keep running reload the config.json render just wrote (they also watch it):
 * asked here so the new config is live before a hot-added agent's container starts and registers.
 */
async function reloadRunning(
  dir: string,
  containers: readonly ContainerInfo[],
  plan: UpPlan,
  io: CliIo,
): Promise<void> {
  const running = (s: string) => containers.some((c) => c.service === s && c.state === "running");
  if (!running("mesh") || plan.changed.includes("mesh") || plan.changed.includes("egress-proxy")) return;
  const [{ meshTarget }, { MeshClient }, { MeshRoutes }] = await Promise.all([
    import("../client/target.js"),
    import("../client/mesh-client.js"),
    import("../../services/common/contracts/mesh-routes.js"),
  ]);
  try {
    const client = new MeshClient(await meshTarget(dir));
    const r = await client.api.call(MeshRoutes.reload, {});
    io.stdout(`▸ mesh and egress-proxy reloaded their config live (${r.mesh_agents} agents)\n`);
  } catch (error) {
    io.stderr(
      `openlegion: the running mesh did not reload its config (${error instanceof Error ? error.message : String(error)}); it picks up config.json within a few seconds\n`,
    );
  }
}

export interface UpPlan {
  /** Services whose container is missing, stopped or runs another config hash. */
  changed: string[];
  /** Compose `up` calls in order: [] = the whole project, else a `--no-deps` service list. */
  steps: string[][];
}

const LABEL_HASH = "io.openlegion.config-hash";

/**
 * Pure. Compose v1 recreates every dependent of a recreated service (agents depend on mesh and
 * proxy), so on a running fleet only what changed comes up, infrastructure first, with `--no-deps`:
 * a budget change recreates the proxy alone, a hot-added agent leaves the other agents alone.
 */
export function planUp(fleet: RenderedFleet, containers: readonly ContainerInfo[]): UpPlan {
  const running = new Map(containers.filter((c) => c.state === "running").map((c) => [c.service, c]));
  const changed = fleet.services.filter((s) => {
    const c = running.get(s);
    return !c || c.labels[LABEL_HASH] !== fleet.hashes.get(s);
  });
  const fresh = fleet.services.every((s) => !running.has(s));
  if (fresh || changed.length === 0) return { changed, steps: [[]] };
  const infra = changed.filter((s) => !fleet.agents.has(s));
  const agents = changed.filter((s) => fleet.agents.has(s));
  return { changed, steps: [infra, agents].filter((g) => g.length > 0) };
}

/** Where to go next, printed after a detached `up`. */
export function nextSteps(agents: readonly string[]): string {
  const first = agents[0] ?? "<agent>";
  return [
    "next:",
    `  openlegion chat ${first}      talk to an agent (streams the reply)`,
    "  openlegion repl              the interactive REPL (@agent, /status, /costs …)",
    "  openlegion status            health, drift, queues and spend",
    "  openlegion logs -f           follow the logs",
    "  openlegion down              stop (data volumes are kept)",
    "",
  ].join("\n");
}

export interface DownOptions {
  dir: string;
  volumes: boolean;
  yes: boolean;
}

/** `openlegion down`: removes containers and networks; volumes only with --volumes (confirmed). */
export async function runDown(opts: DownOptions, io: CliIo, host?: DockerHost): Promise<void> {
  if (opts.volumes && !opts.yes) {
    if (!io.isTTY && !io.prompts)
      throw FleetErrors.needsConfirmation(
        "down --volumes deletes every agent's memory and the ledger: pass --yes to confirm",
      );
    const prompts = io.prompts ?? (await import("../init/inquirer.js")).inquirerPrompts;
    const ok = await prompts.confirm({
      message: "Delete all data volumes (agent memory, conversations, the cost ledger)?",
      default: false,
    });
    if (!ok) {
      io.stdout("nothing deleted; run openlegion down without --volumes to stop and keep the data\n");
      return;
    }
  }
  const docker = host ?? (await DockerHost.open(io.env));
  const project = projectName(opts.dir, io.env);
  io.stdout(`▸ stopping project ${project}\n`);
  await docker.compose(["down", "--remove-orphans", ...(opts.volumes ? ["--volumes"] : [])], {
    cwd: opts.dir,
    projectName: project,
    stream: (line) => io.stdout(`  ${line}\n`),
    timeoutMs: 10 * 60_000,
  });
  io.stdout(
    opts.volumes
      ? "✓ stopped; volumes deleted\n"
      : "✓ stopped; data volumes kept (openlegion up brings everything back)\n",
  );
}
