import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const BIN = join(ROOT, "bin", "openlegion.js");

/** Is a Docker daemon answering? Starts dockerd (root, no systemd) once when it is installed but down. */
/** True when a Docker engine answers (starting dockerd as root if needed); prints why the suite skips otherwise. */
export async function dockerReady(): Promise<boolean> {
  const ready = await startDocker();
  if (!ready)
    console.warn(
      "Docker e2e skipped: no Docker engine answers `docker info` and dockerd could not be started",
    );
  return ready;
}

async function startDocker(): Promise<boolean> {
  const up = async () =>
    (await execa("docker", ["info", "--format", "{{.ServerVersion}}"], { reject: false, timeout: 20_000 }))
      .exitCode === 0;
  if (await up().catch(() => false)) return true;
  const dockerd = await execa("sh", ["-c", "command -v dockerd"], { reject: false });
  if (dockerd.exitCode !== 0 || process.getuid?.() !== 0) return false;
  await execa("sh", ["-c", "setsid dockerd >/tmp/dockerd.log 2>&1 &"], { reject: false });
  for (let i = 0; i < 30; i++) {
    if (await up().catch(() => false)) return true;
    await new Promise((r) => setTimeout(r, 1000));
  }
  return false;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The real CLI (compiled dist/), as a user runs it. */
export async function cli(args: string[], env: Record<string, string> = {}, cwd = ROOT): Promise<CliResult> {
  const r = await execa(process.execPath, [BIN, ...args], { cwd, env, reject: false, timeout: 15 * 60_000 });
  return { code: r.exitCode ?? 1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

export async function docker(args: string[], allowFailure = false): Promise<string> {
  const r = await execa("docker", args, { reject: false, timeout: 120_000 });
  if (r.exitCode !== 0 && !allowFailure) throw new Error(`docker ${args.join(" ")}: ${r.stderr}`);
  return String(r.stdout);
}

/** Runs node code inside a container (as its own user); returns exit code and output. */
export async function nodeIn(container: string, code: string): Promise<CliResult> {
  const r = await execa("docker", ["exec", container, "node", "-e", code], {
    reject: false,
    timeout: 60_000,
  });
  return { code: r.exitCode ?? 1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

export async function shIn(container: string, script: string): Promise<CliResult> {
  const r = await execa("docker", ["exec", container, "sh", "-c", script], {
    reject: false,
    timeout: 60_000,
  });
  return { code: r.exitCode ?? 1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const addr = s.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      s.close(() => resolvePort(port));
    });
    s.on("error", reject);
  });
}

export const tempFleetDir = (): string => mkdtempSync(join(tmpdir(), "ole2e-"));
export const uniqueProject = (): string => `ole2e${randomBytes(4).toString("hex")}`;

/** Container id of a Compose service of the project. */
export async function containerOf(project: string, service: string): Promise<string> {
  const out = await docker([
    "ps",
    "-aq",
    "--no-trunc",
    "--filter",
    `label=com.docker.compose.project=${project}`,
    "--filter",
    `label=com.docker.compose.service=${service}`,
  ]);
  const id = out.trim().split("\n")[0] ?? "";
  if (!id) throw new Error(`no container for ${service} in ${project}`);
  return id;
}

/** The container's address on the network whose name ends with `networkSuffix`; without it, on its only network (an agent's slot network). */
export async function ipOn(container: string, networkSuffix?: string): Promise<string> {
  const json = await docker(["inspect", "--format", "{{json .NetworkSettings.Networks}}", container]);
  const nets = JSON.parse(json) as Record<string, { IPAddress: string }>;
  const entries = Object.entries(nets);
  if (networkSuffix === undefined && entries.length !== 1)
    throw new Error(`${container} is on ${entries.length} networks, expected one`);
  const hit =
    networkSuffix === undefined ? entries[0] : entries.find(([name]) => name.endsWith(networkSuffix));
  if (!hit) throw new Error(`${container} is not on *${networkSuffix}`);
  return hit[1].IPAddress;
}

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  timeoutMs = 120_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

export const distBuilt = (): boolean => existsSync(join(ROOT, "dist", "generator", "cli", "main.js"));
