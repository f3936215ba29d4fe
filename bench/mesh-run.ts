import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { Pool } from "undici";
import type { MeshConfig } from "../services/common/contracts/mesh-config.js";
import { agentToken, operatorToken } from "../services/common/tokens.js";
import { buildApp } from "../services/mesh/app.js";
import { MeshStore } from "../services/mesh/store/mesh-store.js";

const MASTER = "bench-master-key-0123456789abcdefghijklmnop";
const AGENTS = 100;
const CLIENTS = 20;
const here = dirname(fileURLToPath(import.meta.url));

function config(sinkUrl: string): MeshConfig {
  const agents: MeshConfig["agents"] = {};
  const permissions = {
    can_message: ["*"],
    can_publish: [],
    can_subscribe: [],
    blackboard_read: ["context/**"],
    blackboard_write: ["context/**"],
    allowed_apis: [],
  };
  for (let i = 0; i < AGENTS; i++)
    agents[`a${i}`] = { role: "bench", subnet: "127.0.0.0/8", url: "http://127.0.0.1:9", permissions };
  agents.sink = { role: "sink", subnet: "127.0.0.0/8", url: sinkUrl, permissions };
  return {
    version: 1,
    agents,
    proxy_admin_url: "http://127.0.0.1:9",
    workflows: [],
    schedules: [],
    heartbeats: [],
    webhooks: [],
    watchers: [],
    channels: {},
  };
}

/** Child: a fake agent that records delivery latency, and the mesh; prints URLs, runs until SIGTERM. */
export async function serve(): Promise<void> {
  const latencies: number[] = [];
  const sink = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.url === "/inbox") {
        const now = Date.now();
        const body = JSON.parse(Buffer.concat(chunks).toString()) as {
          messages: { payload: { sent_at: number } }[];
        };
        for (const m of body.messages) latencies.push(now - m.payload.sent_at);
        return void res.writeHead(200).end("{}");
      }
      if (req.url === "/stats") {
        return void res
          .writeHead(200)
          .end(JSON.stringify({ delivered: latencies.length, latencies, rss: process.memoryUsage().rss }));
      }
      res.writeHead(200).end('{"ok":true}');
    });
  });
  await new Promise<void>((r) => sink.listen(0, "127.0.0.1", r));
  const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
  const dir = mkdtempSync(join(tmpdir(), "ol-bench-mesh-"));
  const store = MeshStore.open(join(dir, "mesh.db"));
  const app = await buildApp({
    config: config(sinkUrl),
    masterKey: MASTER,
    store,
    limits: { rate_rps: 1e9, rate_burst: 1e9, inbox_depth: 1_000_000, retry_base_ms: 10 },
  });
  const meshUrl = await app.listen({ host: "127.0.0.1", port: 0 });
  process.stdout.write(`${JSON.stringify({ meshUrl, sinkUrl })}\n`);
  process.on("SIGTERM", () => {
    void app.close().finally(() => {
      store.close();
      sink.close();
      rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    });
  });
}

const pct = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
const round = (n: number, d = 2): number => Math.round(n * 10 ** d) / 10 ** d;

async function window(seconds: number, op: (client: number, i: number) => Promise<void>) {
  const latencies: number[] = [];
  const end = performance.now() + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      for (let i = 0; performance.now() < end; i++) {
        const t = performance.now();
        await op(client, i);
        latencies.push(performance.now() - t);
        done++;
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return {
    ops_s: round(done / seconds, 0),
    p50_ms: round(pct(latencies, 50)),
    p99_ms: round(pct(latencies, 99)),
  };
}

function baseline(seconds: number, sync: "FULL" | "NORMAL"): number {
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

export async function runBench(quick: boolean): Promise<void> {
  const seconds = quick ? 4 : 10;
  const child = spawn(process.execPath, [...process.execArgv, join(here, "mesh.ts"), "--serve"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const urls = await new Promise<{ meshUrl: string; sinkUrl: string }>((resolve, reject) => {
    child.stdout.once("data", (d: Buffer) => resolve(JSON.parse(d.toString())));
    child.once("exit", (code) => reject(new Error(`mesh child exited with ${code}`)));
  });
  const pool = new Pool(urls.meshUrl, { connections: CLIENTS, pipelining: 1 });
  const tokens = Array.from({ length: AGENTS }, (_, i) => `Bearer ${agentToken(MASTER, `a${i}`)}`);
  const call = async (method: "GET" | "PUT" | "POST", path: string, agent: number, body?: unknown) => {
    const res = await pool.request({
      method,
      path,
      headers: {
        authorization: tokens[agent] ?? "",
        ...(body ? { "content-type": "application/json" } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    await res.body.dump();
    if (res.statusCode >= 300) throw new Error(`${method} ${path} → ${res.statusCode}`);
  };

  // State for 100 agents: 100 keys each, ~1 KiB values.
  const value = { text: "x".repeat(1000) };
  for (let a = 0; a < AGENTS; a++) {
    await Promise.all(
      Array.from({ length: 100 }, (_, k) => call("PUT", `/v1/blackboard/context/a${a}/k${k}`, a, { value })),
    );
  }
  const writes = await window(seconds, (c, i) =>
    call("PUT", `/v1/blackboard/context/a${c}/w${i % 500}`, c, { value: { n: i } }),
  );
  const reads = await window(seconds, (c, i) => call("GET", `/v1/blackboard/context/a${c}/k${i % 100}`, c));

  // Delivery: messages to the sink agent at a steady pace, latency measured at the agent.
  const messages = quick ? 1000 : 3000;
  for (let i = 0; i < messages; i += 10) {
    await Promise.all(
      Array.from({ length: 10 }, (_, j) =>
        call("POST", "/v1/messages", (i + j) % AGENTS, { to: "sink", payload: { sent_at: Date.now() } }),
      ),
    );
  }
  const stats = async () => {
    const res = await fetch(`${urls.sinkUrl}/stats`);
    return (await res.json()) as { delivered: number; latencies: number[]; rss: number };
  };
  let s = await stats();
  for (let tries = 0; s.delivered < messages && tries < 300; tries++) {
    await new Promise((r) => setTimeout(r, 100));
    s = await stats();
  }
  const lat = [...s.latencies].sort((a, b) => a - b);
  const status = await pool.request({
    method: "GET",
    path: "/v1/status",
    headers: { authorization: `Bearer ${operatorToken(MASTER)}` },
  });
  await status.body.dump();
  await pool.close();
  child.kill("SIGTERM");

  const results = {
    node: process.version,
    cpus: cpus().length,
    cpu_model: cpus()[0]?.model ?? "unknown",
    mode: quick ? "quick" : "full",
    clients: CLIENTS,
    agents: AGENTS,
    window_seconds: seconds,
    sqlite_synchronous: "FULL",
    write_ops_s: writes.ops_s,
    write_p50_ms: writes.p50_ms,
    write_p99_ms: writes.p99_ms,
    read_ops_s: reads.ops_s,
    read_p50_ms: reads.p50_ms,
    read_p99_ms: reads.p99_ms,
    messages_sent: messages,
    messages_delivered: s.delivered,
    deliver_p50_ms: round(pct(lat, 50)),
    deliver_p99_ms: round(pct(lat, 99)),
    rss_mb: round(s.rss / 1024 / 1024, 1),
    baseline_raw_insert_full_ops_s: baseline(quick ? 2 : 5, "FULL"),
    baseline_raw_insert_normal_ops_s: baseline(quick ? 2 : 5, "NORMAL"),
  };
  const out = join(here, "results");
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "mesh.json"), `${JSON.stringify(results, null, 2)}\n`);
  const rows = Object.entries(results).map(([k, v]) => `| ${k} | ${v} |`);
  writeFileSync(
    join(out, "mesh.md"),
    `# Mesh benchmark\n\n| metric | value |\n|---|---|\n${rows.join("\n")}\n`,
  );
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
}
