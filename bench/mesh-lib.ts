import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { type Dispatcher, Pool } from "undici";
import { agentToken } from "../services/common/tokens.js";
import { type Child, cpuMs, freePort, startChild, TS_FLAGS, waitForHttp } from "./lib/processes.js";

/** Building blocks of the mesh benchmark (bench/mesh-run.ts): processes, the load loop, the ops. */
export const MASTER = "bench-master-key-0123456789abcdefghijklmnop";
export const AGENTS = 100;
export const CLIENTS = 20;
export const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");

export const pct = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
export const round = (n: number, d = 2): number => Math.round(n * 10 ** d) / 10 ** d;

function meshConfig(sinkUrl: string) {
  const permissions = {
    can_message: ["*"],
    can_publish: [],
    can_subscribe: [],
    blackboard_read: ["context/**"],
    blackboard_write: ["context/**"],
    allowed_apis: [],
  };
  const agents: Record<string, unknown> = {};
  for (let i = 0; i < AGENTS; i++)
    agents[`a${i}`] = { role: "bench", subnet: "127.0.0.0/8", url: "http://127.0.0.1:9", permissions };
  agents.sink = { role: "sink", subnet: "127.0.0.0/8", url: sinkUrl, permissions };
  const empty = { workflows: [], schedules: [], heartbeats: [], webhooks: [], watchers: [], channels: {} };
  return { version: 1, agents, proxy_admin_url: "http://127.0.0.1:9", ...empty };
}

export interface Mesh {
  url: string;
  child: Child;
  dir: string;
}

/** Runs the real entry point (services/mesh/main.ts) as its own process, configured through files + env. */
export async function startMesh(
  sinkUrl: string,
  sync: "normal" | "full",
  profileDir?: string,
  /** Production rate limits (the default), or lifted: the labelled "unlimited" variant. */
  limits: "production" | "unlimited" = "production",
): Promise<Mesh> {
  const dir = mkdtempSync(join(tmpdir(), "ol-bench-mesh-"));
  for (const d of ["config", "secrets", "data"]) mkdirSync(join(dir, d));
  writeFileSync(join(dir, "config", "config.json"), JSON.stringify(meshConfig(sinkUrl)));
  writeFileSync(join(dir, "secrets", "master_key"), MASTER);
  const port = await freePort();
  const prof = profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [];
  const child = startChild("mesh", [...TS_FLAGS, ...prof, join(root, "services/mesh/main.ts")], {
    OPENLEGION_CONFIG_DIR: join(dir, "config"),
    OPENLEGION_SECRETS_DIR: join(dir, "secrets"),
    OPENLEGION_DATA_DIR: join(dir, "data"),
    OPENLEGION_MESH_HOST: "127.0.0.1",
    OPENLEGION_MESH_PORT: String(port),
    OPENLEGION_SQLITE_SYNC: sync,
    OPENLEGION_LOG_LEVEL: "info",
    // Production limits (200 req/s per agent, burst 400): the driver spreads each client's calls over the
    // 100 agents, as a fleet would. "unlimited" lifts them to show what the limiter costs.
    OPENLEGION_MESH_LIMITS: JSON.stringify(
      limits === "unlimited"
        ? { rate_rps: 1e6, rate_burst: 1e6, inbox_depth: 100_000 }
        : { inbox_depth: 100_000 },
    ),
  });
  // The mesh logs to stdout as in production; the driver drops it (BENCH_SHOW_LOG=1 echoes the first lines).
  let logged = 0;
  child.process.stdout?.on("data", (d: Buffer) => {
    logged += d.length;
    if (process.env.BENCH_SHOW_LOG && logged < 3000) process.stderr.write(d);
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/healthz`, child);
  return { url, child, dir };
}

export async function stopMesh(m: Mesh): Promise<void> {
  await m.child.stop();
  rmSync(m.dir, { recursive: true, force: true });
}

/** One request through undici's low-level dispatch (keeps the driver cheap next to the server). */
export function hit(
  pool: Pool,
  method: "GET" | "PUT" | "POST",
  path: string,
  auth: string,
  body?: string,
): Promise<number> {
  return new Promise((resolve, reject) => {
    let status = 0;
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart() {},
      onResponseStart(_c, statusCode) {
        status = statusCode;
      },
      onResponseData() {},
      onResponseEnd() {
        resolve(status);
      },
      onResponseError(_c, error) {
        reject(error);
      },
    };
    const headers: Record<string, string> = { authorization: auth };
    if (body !== undefined) headers["content-type"] = "application/json";
    pool.dispatch({ method, path, headers, body }, handler);
  });
}

export interface Window {
  ops_s: number;
  p50_ms: number;
  p99_ms: number;
  errors: number;
  /** Server CPU per completed op (µs), NaN when unknown. */
  cpu_us_per_op: number;
}

/** CLIENTS callers in a closed loop for `seconds` over fixed keep-alive connections. */
export async function window(
  seconds: number,
  op: (client: number, i: number) => Promise<number>,
  server?: Child,
): Promise<Window> {
  const cpuBefore = server ? cpuMs(server) : undefined;
  const latencies: number[] = [];
  let errors = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      for (let i = 0; performance.now() < end; i++) {
        const t = performance.now();
        const status = await op(client, i);
        if (status >= 300) errors++;
        else latencies.push(performance.now() - t);
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  const cpuAfter = server ? cpuMs(server) : undefined;
  latencies.sort((a, b) => a - b);
  return {
    ops_s: round(latencies.length / elapsed, 0),
    p50_ms: round(pct(latencies, 50)),
    p99_ms: round(pct(latencies, 99)),
    errors,
    cpu_us_per_op:
      cpuBefore === undefined || cpuAfter === undefined || latencies.length === 0
        ? Number.NaN
        : round(((cpuAfter - cpuBefore) * 1000) / latencies.length, 1),
  };
}

export const tokens = Array.from({ length: AGENTS }, (_, i) => `Bearer ${agentToken(MASTER, `a${i}`)}`);
export const tok = (i: number): string => tokens[i % AGENTS] ?? "";
export const VALUE = JSON.stringify({ value: { text: "x".repeat(1000) } });

// Each client's calls rotate over the 100 agents (client c, call i → agent (c·5 + i) mod 100), so the
// per-agent rate limit applies as it would to a fleet, not to 20 agents calling flat out.
const agentOf = (c: number, i: number) => (c * 5 + i) % AGENTS;
export const writeOp = (pool: Pool) => (c: number, i: number) =>
  hit(pool, "PUT", `/v1/blackboard/context/a${c}/w${i % 500}`, tok(agentOf(c, i)), `{"value":{"n":${i}}}`);
export const readOp = (pool: Pool) => (c: number, i: number) =>
  hit(pool, "GET", `/v1/blackboard/context/a${c}/k${i % 100}`, tok(agentOf(c, i)));

export function rawSqlite(seconds: number, sync: "FULL" | "NORMAL"): number {
  const dir = mkdtempSync(join(tmpdir(), "ol-bench-raw-"));
  const db = new Database(join(dir, "raw.db"));
  db.pragma("journal_mode = WAL");
  db.pragma(`synchronous = ${sync}`);
  db.exec("CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT, version INTEGER) WITHOUT ROWID");
  const put = db.prepare(
    "INSERT INTO kv VALUES (?, ?, 1) ON CONFLICT(key) DO UPDATE SET value = excluded.value, version = version + 1",
  );
  const end = performance.now() + seconds * 1000;
  let n = 0;
  while (performance.now() < end) {
    put.run(`context/k${n % 1000}`, '{"n":1}');
    n++;
  }
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return round(n / seconds, 0);
}

export const rssMb = (pid: number | undefined): number => {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return round(kb / 1024, 1);
};

/** A fixed set of keep-alive connections, one per client (pipelining 1). */
export const pool = (url: string): Pool =>
  new Pool(url, { connections: CLIENTS, pipelining: 1, keepAliveTimeout: 60_000 });

/** 100 agents' worth of state: 100 keys of ~1 KiB each. */
export async function seed(p: Pool): Promise<void> {
  for (let a = 0; a < AGENTS; a++) {
    const statuses = await Promise.all(
      Array.from({ length: 100 }, (_, k) =>
        hit(p, "PUT", `/v1/blackboard/context/a${a}/k${k}`, tok(a), VALUE),
      ),
    );
    const bad = statuses.find((s) => s >= 300);
    if (bad !== undefined) throw new Error(`seeding failed: HTTP ${bad}`);
  }
}
