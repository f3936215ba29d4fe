import type { CliIo } from "../../cli/io.js";
import { packageVersion } from "../../init/package-root.js";
import { STACK_FILE } from "../../render/outputs.js";
import { lastLines } from "../compose.js";
import { FleetErrors } from "../errors.js";
import { type Exec, execaExec } from "../exec.js";
import { projectName } from "../project.js";
import { checkNameLengths, SwarmManager, stackObjects, waitConverged } from "./stack.js";
import { converged, formatRows } from "./tasks.js";

/**
 * `--target swarm` of up, down, status and logs: the manager at DOCKER_HOST, checked, and the stack
 * named like the Compose project.
 */
export async function managerFor(dir: string, io: CliIo, exec: Exec): Promise<SwarmManager> {
  const swarm = new SwarmManager(exec, projectName(dir, io.env));
  await swarm.checkManager(io.env);
  return swarm;
}

/**
 * `up --target swarm`: render docker-stack.yml, `docker stack deploy` (which creates the content-named
 * secrets and configs from the files render wrote), wait until every service runs healthy, then
 * remove the stack's secrets and configs no service uses any more (the rotated-out ones).
 */
export async function runSwarmUp(
  opts: { dir: string; render: boolean; timeoutS: number },
  io: CliIo,
  exec: Exec = execaExec,
): Promise<void> {
  const swarm = await managerFor(opts.dir, io, exec);
  if (opts.render) {
    const [{ loadFleet }, { runRender }] = await Promise.all([
      import("../../config/load.js"),
      import("../../render/run.js"),
    ]);
    const fleet = await loadFleet(opts.dir, { requireEnv: true });
    const r = (await runRender(fleet, { dir: opts.dir, toolVersion: packageVersion(), target: "swarm" }))
      .report;
    if (r)
      io.stdout(
        `✓ rendered ${STACK_FILE}: ${r.written.length} file(s) written, ${r.unchanged.length} unchanged\n`,
      );
  }
  const objects = stackObjects(opts.dir);
  checkNameLengths(swarm.stack, [...objects.secrets, ...objects.configs]);
  io.stdout(`deploying stack ${swarm.stack} (${objects.files.join(" + ")})\n`);
  const args = ["stack", "deploy", "--prune", "--resolve-image", "never"];
  for (const f of objects.files) args.push("-c", f);
  const deploy = await exec("docker", [...args, swarm.stack], {
    cwd: opts.dir,
    timeoutMs: 600_000,
    onLine: (line) => io.stdout(`  ${line}\n`),
  });
  if (deploy.exitCode !== 0)
    throw FleetErrors.swarmDeployFailed(`docker stack deploy failed:\n${lastLines(deploy.stderr, 10)}`);
  const rows = await waitConverged(swarm, io, opts.timeoutS);
  io.stdout(`✓ ${rows.length} services running and healthy\n`);
  await pruneObjects(swarm, objects);
}

/** Removes secrets and configs of this stack that the current files no longer name (in use ones stay). */
async function pruneObjects(
  swarm: SwarmManager,
  current: { secrets: string[]; configs: string[] },
): Promise<void> {
  for (const kind of ["secret", "config"] as const) {
    const keep = new Set(
      (kind === "secret" ? current.secrets : current.configs).map((k) => `${swarm.stack}_${k}`),
    );
    const r = await swarm.docker(
      [kind, "ls", "--filter", `label=com.docker.stack.namespace=${swarm.stack}`, "--format", "{{.Name}}"],
      { allowFailure: true },
    );
    const stale = r.stdout
      .split("\n")
      .map((l) => l.trim())
      .filter((n) => n && !keep.has(n));
    if (stale.length > 0) await swarm.docker([kind, "rm", ...stale], { allowFailure: true });
  }
}

/** `down --target swarm`: `docker stack rm`, then wait until its tasks are gone. Volumes live on each node. */
export async function runSwarmDown(
  opts: { dir: string; volumes: boolean },
  io: CliIo,
  exec: Exec = execaExec,
) {
  const swarm = await managerFor(opts.dir, io, exec);
  await swarm.docker(["stack", "rm", swarm.stack]);
  for (let i = 0; i < 60; i++) {
    const left = await swarm.docker(["stack", "ps", swarm.stack, "-q"], { allowFailure: true });
    if (left.exitCode !== 0 || left.stdout.trim() === "") break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  io.stdout(`✓ stack ${swarm.stack} removed (services, networks, secrets, configs)\n`);
  io.stdout(
    opts.volumes
      ? `data volumes are local to each node: remove them there (docker volume ls --filter label=com.docker.stack.namespace=${swarm.stack})\n`
      : "data volumes are kept on the nodes that ran each service\n",
  );
}

/** `status --target swarm`: each service's node and state; exit 1 unless every one runs healthy on an up node. */
export async function runSwarmStatus(
  opts: { dir: string; json: boolean },
  io: CliIo,
  exec: Exec = execaExec,
) {
  const swarm = await managerFor(opts.dir, io, exec);
  const rows = await swarm.rows();
  const healthy = converged(rows);
  if (opts.json) io.stdout(`${JSON.stringify({ stack: swarm.stack, healthy, services: rows }, null, 2)}\n`);
  else {
    io.stdout(`stack ${swarm.stack}\n${formatRows(rows)}`);
    if (rows.length === 0) io.stdout("the stack is not deployed: openlegion up --target swarm\n");
  }
  return healthy ? 0 : 1;
}

/** `logs --target swarm [service]`: `docker service logs` per service (Swarm gathers them from every node). */
export async function runSwarmLogs(
  opts: { dir: string; service?: string; follow: boolean; tail: string },
  io: CliIo,
  exec: Exec = execaExec,
) {
  const swarm = await managerFor(opts.dir, io, exec);
  const known = await swarm.services();
  const wanted = opts.service
    ? [known.find((s) => s === opts.service || s === `agent-${opts.service}`) ?? opts.service]
    : known;
  for (const service of wanted) {
    const args = ["service", "logs", "--timestamps", "--tail", opts.tail, ...(opts.follow ? ["-f"] : [])];
    const r = await exec("docker", [...args, `${swarm.stack}_${service}`], {
      inherit: opts.follow,
      maxBuffer: 4 * 1024 * 1024,
    });
    if (!opts.follow) io.stdout(`${r.stdout}${r.stderr}`);
  }
}
