import { z } from "zod";

/**
 * Pure parsers for what docker and docker-compose print. Kept apart from the processes so they are
 * tested as data (tests/unit/docker/parse.test.ts) against real outputs of both Compose dialects.
 */

export interface SemVer {
  major: number;
  minor: number;
  patch: number;
}

/**
 * Version from `docker compose version --short` / `docker-compose version --short` / the long form:
 * "1.29.2", "docker-compose version 1.29.2, build unknown", "v2.24.5", "Docker Compose version
 * v2.24.5-desktop.1". Undefined when no x.y.z is found.
 */
export function parseComposeVersion(text: string): SemVer | undefined {
  const m = /(?:^|[\sv])v?(\d+)\.(\d+)\.(\d+)/.exec(text.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
}

export const formatVersion = (v: SemVer): string => `${v.major}.${v.minor}.${v.patch}`;

export type DockerFailure = "daemon-down" | "permission" | "other";

/** Why `docker info` (or any docker call) failed, from its stderr. */
export function classifyDockerFailure(stderr: string): DockerFailure {
  const text = stderr.toLowerCase();
  if (text.includes("permission denied") && text.includes("docker.sock")) return "permission";
  if (
    text.includes("cannot connect to the docker daemon") ||
    text.includes("is the docker daemon running") ||
    text.includes("error during connect") ||
    text.includes("connection refused")
  )
    return "daemon-down";
  return "other";
}

export type Health = "healthy" | "unhealthy" | "starting" | "none";
export type RunState = "created" | "running" | "restarting" | "paused" | "exited" | "dead" | "removing";

/** One container of a Compose project, as `docker inspect` describes it. */
export interface ContainerInfo {
  id: string;
  name: string;
  service: string;
  project: string;
  state: RunState;
  health: Health;
  startedAt: Date | undefined;
  exitCode: number;
  restartCount: number;
  image: string;
  labels: Record<string, string>;
  oneOff: boolean;
}

const inspectSchema = z.array(
  z.object({
    Id: z.string(),
    Name: z.string(),
    RestartCount: z.number().int().default(0),
    State: z.object({
      Status: z.enum(["created", "running", "restarting", "paused", "exited", "dead", "removing"]),
      StartedAt: z.string().optional(),
      ExitCode: z.number().int().default(0),
      Health: z.object({ Status: z.string() }).nullish(),
    }),
    Config: z.object({
      Image: z.string().default(""),
      Labels: z.record(z.string(), z.string()).nullish(),
    }),
  }),
);

const ZERO_TIME = /^0001-01-01/;

const healthOf = (status: string | undefined): Health =>
  status === "healthy" || status === "unhealthy" || status === "starting" ? status : "none";

/** `docker inspect <ids…>` JSON → containers sorted by service name. Throws on an unexpected shape. */
export function parseContainers(json: string): ContainerInfo[] {
  const rows = inspectSchema.parse(JSON.parse(json));
  return rows
    .map((r): ContainerInfo => {
      const labels = r.Config.Labels ?? {};
      const started = r.State.StartedAt;
      return {
        id: r.Id,
        name: r.Name.replace(/^\//, ""),
        service: labels["com.docker.compose.service"] ?? "",
        project: labels["com.docker.compose.project"] ?? "",
        state: r.State.Status,
        health: healthOf(r.State.Health?.Status),
        startedAt: started && !ZERO_TIME.test(started) ? new Date(started) : undefined,
        exitCode: r.State.ExitCode,
        restartCount: r.RestartCount,
        image: r.Config.Image,
        labels,
        oneOff: labels["com.docker.compose.oneoff"] === "True",
      };
    })
    .sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0));
}

/** IDs from `docker ps -q` / `docker-compose ps -q` (one per line). */
export const parseIds = (text: string): string[] =>
  text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => /^[0-9a-f]{12,64}$/.test(l));

const UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

/** "12.5MiB", "1.2GB", "512B" → bytes; undefined when unparsable. */
export function parseBytes(text: string): number | undefined {
  const m = /^\s*([\d.]+)\s*([kmgt]?i?b)\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = UNITS[m[2]!.toLowerCase()];
  const n = Number(m[1]);
  return unit === undefined || !Number.isFinite(n) ? undefined : Math.round(n * unit);
}

/** `docker stats --no-stream --format '{{json .}}'` lines → container name → memory in use (bytes). */
export function parseStats(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const row = z.object({ Name: z.string(), MemUsage: z.string() });
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    const parsed = row.safeParse(JSON.parse(line));
    if (!parsed.success) continue;
    const used = parseBytes(parsed.data.MemUsage.split("/")[0] ?? "");
    if (used !== undefined) out.set(parsed.data.Name, used);
  }
  return out;
}

/** Compose project name rules shared by v1 and v2: lowercase, only [a-z0-9_-], starting alphanumeric. */
export function normalizeProjectName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, "")
    .replace(/^[^a-z0-9]+/, "");
}
