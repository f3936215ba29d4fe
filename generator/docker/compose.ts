import { FleetErrors } from "./errors.js";
import type { Exec, ExecResult } from "./exec.js";
import { classifyDockerFailure, formatVersion, parseComposeVersion, type SemVer } from "./parse.js";

/** v1 = docker-compose 1.x (Python); v2 = the Go rewrite, as a docker plugin or standalone binary. */
export type Dialect = "v1" | "v2";

export interface ComposeCli {
  dialect: Dialect;
  version: SemVer;
  /** argv prefix: ["docker", "compose"] or ["docker-compose"]. */
  command: readonly string[];
}

export interface ComposeRunOptions {
  cwd: string;
  projectName: string;
  /** -f files, relative to cwd; default: Compose's own lookup (docker-compose.yml). */
  files?: readonly string[];
  /** Live output, line by line (progress); output is still captured for errors. */
  stream?: (line: string) => void;
  /** Hand the terminal to Compose (logs -f). */
  inherit?: boolean;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Return non-zero exits instead of throwing FleetErrors.composeFailed. */
  allowFailure?: boolean;
}

const INSTALL_DOCKER =
  "install Docker Engine (Debian/Ubuntu: apt-get install -y docker.io docker-compose; others: https://docs.docker.com/engine/install/)";

/** Fails with a precise error (and the fix) unless a Docker daemon answers; returns its version. */
export async function checkDocker(
  exec: Exec,
  env: Readonly<Record<string, string | undefined>> = {},
): Promise<string> {
  const r = await exec("docker", ["version", "--format", "{{.Server.Version}}"], { timeoutMs: 20_000 });
  if (r.notFound) throw FleetErrors.dockerMissing(`docker is not installed: ${INSTALL_DOCKER}`);
  if (r.exitCode === 0 && r.stdout.trim()) return r.stdout.trim();
  const why = classifyDockerFailure(r.stderr);
  if (why === "permission") {
    throw FleetErrors.dockerPermission(
      "permission denied on the Docker socket: add yourself to the docker group (sudo usermod -aG docker $USER, then log in again) or run as root",
    );
  }
  // A daemon chosen by DOCKER_HOST or DOCKER_CONTEXT is not "the" daemon: name it, or the fix misleads.
  const chosen = env.DOCKER_HOST
    ? `DOCKER_HOST=${env.DOCKER_HOST}`
    : env.DOCKER_CONTEXT
      ? `DOCKER_CONTEXT=${env.DOCKER_CONTEXT}`
      : "";
  if (why === "daemon-down" && chosen) {
    throw FleetErrors.dockerDaemonDown(
      `no Docker daemon answers at ${chosen}: check that address (or unset ${chosen.split("=")[0]} to use the local daemon) and retry`,
    );
  }
  if (why === "daemon-down") {
    throw FleetErrors.dockerDaemonDown(
      "the Docker daemon is not running: start it (sudo systemctl start docker; without systemd: sudo dockerd >/var/log/dockerd.log 2>&1 &) and retry",
    );
  }
  throw FleetErrors.dockerFailed(`docker version failed: ${lastLines(r.stderr, 3)}`);
}

/**
 * Finds a Compose implementation at run time: `docker compose` (v2 plugin) first, then
 * `docker-compose` (v1, or a standalone v2). OPENLEGION_COMPOSE="docker-compose" or "docker compose"
 * forces one.
 */
export async function detectCompose(
  exec: Exec,
  env: Readonly<Record<string, string | undefined>> = {},
): Promise<ComposeCli> {
  const forced = env.OPENLEGION_COMPOSE?.trim();
  const candidates: (readonly string[])[] = forced
    ? [forced.split(/\s+/)]
    : [["docker", "compose"], ["docker-compose"]];
  const tried: string[] = [];
  for (const command of candidates) {
    const [file, ...pre] = command as [string, ...string[]];
    const r = await exec(file, [...pre, "version", "--short"], { timeoutMs: 20_000 });
    const version = r.exitCode === 0 ? parseComposeVersion(r.stdout) : undefined;
    if (version) return { dialect: version.major >= 2 ? "v2" : "v1", version, command };
    tried.push(command.join(" "));
  }
  throw FleetErrors.composeMissing(
    `no Docker Compose found (tried ${tried.join(", ")}): install the compose plugin (apt-get install docker-compose-plugin) or docker-compose (apt-get install docker-compose)`,
  );
}

export const describeCompose = (cli: ComposeCli): string =>
  `${cli.command.join(" ")} ${formatVersion(cli.version)} (${cli.dialect})`;

/** argv for one Compose call: the same for both dialects (-p and -f before the subcommand). */
export function composeArgv(cli: ComposeCli, args: readonly string[], opts: ComposeRunOptions): string[] {
  const files = (opts.files ?? []).flatMap((f) => ["-f", f]);
  return [...cli.command.slice(1), ...files, "-p", opts.projectName, ...args];
}

/** Runs `compose <args>` in the fleet directory; throws FleetErrors.composeFailed with its stderr tail. */
export async function runCompose(
  exec: Exec,
  cli: ComposeCli,
  args: readonly string[],
  opts: ComposeRunOptions,
): Promise<ExecResult> {
  const file = cli.command[0]!;
  const stream = opts.stream;
  const r = await exec(file, composeArgv(cli, args, opts), {
    cwd: opts.cwd,
    // v1 prints colour codes and progress bars to a pipe unless told otherwise.
    env: { COMPOSE_INTERACTIVE_NO_CLI: "1", ...(cli.dialect === "v2" ? { COMPOSE_PROGRESS: "plain" } : {}) },
    ...(stream ? { onLine: (line: string) => stream(line) } : {}),
    ...(opts.inherit ? { inherit: true } : {}),
    ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  if (r.exitCode !== 0 && !opts.allowFailure) {
    const output = r.stderr || r.stdout;
    throw FleetErrors.composeFailed(
      `${cli.command.join(" ")} ${args[0] ?? ""} failed (exit ${r.exitCode}):\n${lastLines(output, 15)}${composeHint(output)}`,
    );
  }
  return r;
}

/** A fix for failures whose Docker message does not say what to do. */
export function composeHint(output: string): string {
  if (/Pool overlaps with other one on this address space/i.test(output)) {
    return "\nfix: another fleet or Docker network already uses this fleet's subnet pool; give each fleet on a host its own egress.subnet_pool in config/mesh.yaml (e.g. 10.232.0.0/16), then openlegion up";
  }
  return "";
}

export function lastLines(text: string, n: number): string {
  return text
    .trimEnd()
    .split("\n")
    .slice(-n)
    .map((l) => `  ${l}`)
    .join("\n");
}
