import {
  type ComposeCli,
  type ComposeRunOptions,
  checkDocker,
  detectCompose,
  lastLines,
  runCompose,
} from "./compose.js";
import { FleetErrors } from "./errors.js";
import { type Exec, type ExecResult, execaExec } from "./exec.js";
import { type ContainerInfo, parseContainers, parseIds, parseStats } from "./parse.js";

/**
 * Docker as the CLI sees it: one checked daemon plus one detected Compose. Everything goes through
 * `exec`, so the whole lifecycle runs the same against v1 and v2.
 */
export class DockerHost {
  readonly exec: Exec;
  readonly serverVersion: string;
  readonly cli: ComposeCli;

  private constructor(exec: Exec, serverVersion: string, cli: ComposeCli) {
    this.exec = exec;
    this.serverVersion = serverVersion;
    this.cli = cli;
  }

  /** Checks the daemon and detects Compose; throws the precise error (with the fix) otherwise. */
  static async open(
    env: Readonly<Record<string, string | undefined>> = {},
    exec: Exec = execaExec,
  ): Promise<DockerHost> {
    const server = await checkDocker(exec, env);
    const cli = await detectCompose(exec, env);
    return new DockerHost(exec, server, cli);
  }

  compose(args: readonly string[], opts: ComposeRunOptions): Promise<ExecResult> {
    return runCompose(this.exec, this.cli, args, opts);
  }

  /** `docker …`; throws FleetErrors.dockerFailed on a non-zero exit unless `allowFailure`. */
  async docker(args: readonly string[], allowFailure = false, timeoutMs = 60_000): Promise<ExecResult> {
    const r = await this.exec("docker", args, { timeoutMs });
    if (r.exitCode !== 0 && !allowFailure)
      throw FleetErrors.dockerFailed(`docker ${args[0]} failed:\n${lastLines(r.stderr, 10)}`);
    return r;
  }

  /** Every container of a Compose project (running or not), from the labels both dialects set. */
  async containers(project: string): Promise<ContainerInfo[]> {
    const ps = await this.docker([
      "ps",
      "-aq",
      "--no-trunc",
      "--filter",
      `label=com.docker.compose.project=${project}`,
    ]);
    const ids = parseIds(ps.stdout);
    if (ids.length === 0) return [];
    // A container removed between ps and inspect makes inspect exit 1 but still print the others.
    const r = await this.docker(["inspect", ...ids], true);
    const text = r.stdout.trim();
    return text.startsWith("[") ? parseContainers(text).filter((c) => !c.oneOff) : [];
  }

  async imageExists(ref: string): Promise<boolean> {
    return (await this.docker(["image", "inspect", "--format", "{{.Id}}", ref], true)).exitCode === 0;
  }

  /** Image size in bytes (undefined when absent). */
  async imageSize(ref: string): Promise<number | undefined> {
    const r = await this.docker(["image", "inspect", "--format", "{{.Size}}", ref], true);
    const n = Number(r.stdout.trim());
    return r.exitCode === 0 && Number.isFinite(n) ? n : undefined;
  }

  async logsTail(container: string, lines: number): Promise<string> {
    const r = await this.docker(["logs", "--tail", String(lines), container], true);
    return `${r.stdout}${r.stderr}`.trimEnd();
  }

  /** Memory in use per container name. */
  async memory(names: readonly string[]): Promise<Map<string, number>> {
    if (names.length === 0) return new Map();
    const r = await this.docker(["stats", "--no-stream", "--format", "{{json .}}", ...names], true, 120_000);
    return parseStats(r.stdout);
  }
}
