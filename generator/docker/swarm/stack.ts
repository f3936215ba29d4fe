import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { CliIo } from "../../cli/io.js";
import { STACK_FILE } from "../../render/outputs.js";
import { lastLines } from "../compose.js";
import { FleetErrors } from "../errors.js";
import type { Exec } from "../exec.js";
import { converged, formatRows, parseNodes, parseTasks, type ServiceRow, serviceRows } from "./tasks.js";

/** Merged after docker-stack.yml when present, as Compose merges docker-compose.override.yml. */
export const STACK_OVERRIDE_FILE = "docker-stack.override.yml";
/** Swarm's limit on secret and config names, `<stack>_` prefix included. */
const MAX_OBJECT_NAME = 64;

/** The manager the CLI talks to (DOCKER_HOST as for every docker command). */
export class SwarmManager {
  constructor(
    readonly exec: Exec,
    readonly stack: string,
  ) {}

  async docker(args: readonly string[], opts: { allowFailure?: boolean; timeoutMs?: number } = {}) {
    const r = await this.exec("docker", args, { timeoutMs: opts.timeoutMs ?? 60_000 });
    if (r.exitCode !== 0 && !opts.allowFailure)
      throw FleetErrors.swarmDeployFailed(
        `docker ${args.slice(0, 2).join(" ")} failed:\n${lastLines(r.stderr || r.stdout, 10)}`,
      );
    return r;
  }

  /** Throws unless the engine is an active Swarm manager. */
  async checkManager(env: Readonly<Record<string, string | undefined>>): Promise<void> {
    const r = await this.docker(
      ["info", "--format", "{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}"],
      {
        allowFailure: true,
      },
    );
    if (r.stdout.trim() !== "active true")
      throw FleetErrors.swarmNotManager(
        `the Docker engine${env.DOCKER_HOST ? ` at ${env.DOCKER_HOST}` : ""} is not a Swarm manager (${r.stdout.trim() || r.stderr.trim()}): run \`docker swarm init\` there, or set DOCKER_HOST to a manager`,
      );
  }

  async rows(services?: readonly string[]): Promise<ServiceRow[]> {
    const [ps, nodes] = await Promise.all([
      this.docker(["stack", "ps", this.stack, "--no-trunc", "--format", "{{json .}}"], {
        allowFailure: true,
      }),
      this.docker(["node", "ls", "--format", "{{json .}}"], { allowFailure: true }),
    ]);
    const names = services ?? (await this.services());
    return serviceRows(this.stack, names, parseTasks(ps.stdout), parseNodes(nodes.stdout));
  }

  /** The stack's services as Swarm knows them, without the `<stack>_` prefix. */
  async services(): Promise<string[]> {
    const r = await this.docker(["stack", "services", this.stack, "--format", "{{.Name}}"], {
      allowFailure: true,
    });
    const prefix = `${this.stack}_`;
    return r.stdout
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l.startsWith(prefix))
      .map((l) => l.slice(prefix.length))
      .sort();
  }
}

/** Secret and config keys of the stack file(s) in `dir` (to check name lengths and prune old ones). */
export function stackObjects(dir: string): { secrets: string[]; configs: string[]; files: string[] } {
  const files = [STACK_FILE, STACK_OVERRIDE_FILE].filter((f) => existsSync(join(dir, f)));
  const secrets: string[] = [];
  const configs: string[] = [];
  for (const f of files) {
    const data = parse(readFileSync(join(dir, f), "utf8"), { version: "1.1" }) as {
      secrets?: Record<string, unknown>;
      configs?: Record<string, unknown>;
    } | null;
    secrets.push(...Object.keys(data?.secrets ?? {}));
    configs.push(...Object.keys(data?.configs ?? {}));
  }
  return { secrets, configs, files };
}

/** Agent services of docker-stack.yml on a non-internal network (undefined when there is no stack file). */
export function agentsWithRouteOut(dir: string): string[] | undefined {
  const path = join(dir, STACK_FILE);
  if (!existsSync(path)) return undefined;
  const data = parse(readFileSync(path, "utf8"), { version: "1.1" }) as {
    services?: Record<string, { labels?: Record<string, string>; networks?: string[] }>;
    networks?: Record<string, { internal?: boolean }>;
  } | null;
  return Object.entries(data?.services ?? {})
    .filter(([, s]) => s.labels?.["io.openlegion.service"] === "agent")
    .filter(([, s]) => (s.networks ?? []).some((n) => data?.networks?.[n]?.internal !== true))
    .map(([name]) => name)
    .sort();
}

export function checkNameLengths(stack: string, names: readonly string[]): void {
  const long = names.filter((n) => stack.length + 1 + n.length > MAX_OBJECT_NAME);
  if (long.length > 0)
    throw FleetErrors.swarmNameTooLong(
      `Swarm names are at most ${MAX_OBJECT_NAME} characters and stack "${stack}" makes ${long.length} too long (e.g. ${stack}_${long[0]}); set a shorter COMPOSE_PROJECT_NAME (≤ ${MAX_OBJECT_NAME - 1 - Math.max(...long.map((n) => n.length))} characters)`,
    );
}

/**
 * Polls the stack until every service has a running task (Swarm holds a task in "starting" until
 * its healthcheck passes, so running = healthy) on a node that is up; prints each change.
 */
export async function waitConverged(
  swarm: SwarmManager,
  io: CliIo,
  timeoutS: number,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<ServiceRow[]> {
  const seen = new Map<string, string>();
  const deadline = io.now().getTime() + timeoutS * 1000;
  const expected = await swarm.services();
  for (;;) {
    const rows = await swarm.rows(expected);
    for (const r of rows) {
      const line = `${r.state}${r.node === "-" ? "" : ` on ${r.node}`}${r.error ? ` (${r.error})` : ""}`;
      if (seen.get(r.service) !== line) io.stdout(`  ${r.service}: ${line}\n`);
      seen.set(r.service, line);
    }
    if (converged(rows)) return rows;
    const rejected = rows.find((r) => r.state === "rejected" || r.state === "failed");
    if (io.now().getTime() > deadline)
      throw FleetErrors.timeout(
        `not every service converged within ${timeoutS}s:\n${formatRows(rows)}${rejected ? `last error: ${rejected.error}` : ""}`,
      );
    await sleep(2000);
  }
}
