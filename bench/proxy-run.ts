import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Pool } from "undici";
import { agentToken } from "../services/common/tokens.js";
import { buildProxy } from "../services/egress-proxy/app.js";
import { fileSecrets } from "../services/egress-proxy/secrets.js";
import { startFakeProvider } from "../tests/fakes/llm-provider/index.js";

const MASTER = "bench-master-key-0123456789abcdefghijklmnop";
const here = dirname(fileURLToPath(import.meta.url));

/** Child process: fake provider + proxy on loopback; prints their URLs and waits for SIGTERM. */
export async function serve(): Promise<void> {
  const fake = await startFakeProvider();
  const dir = mkdtempSync(join(tmpdir(), "ol-bench-proxy-"));
  writeFileSync(join(dir, "master_key"), MASTER);
  writeFileSync(join(dir, "cred_openai_api_key"), "sk-bench");
  const proxy = buildProxy({
    config: {
      version: 1,
      agents: {
        bench: {
          models: ["openai/gpt-4o-mini"],
          allowed_hosts: [],
          allowed_apis: [],
          budget: { daily_usd: 1e9, monthly_usd: 1e9 },
          max_tokens: 256,
        },
      },
      providers: { openai: { api: "openai", base_url: fake.url, credential: "OPENAI_API_KEY" } },
      apis: {},
      pricing: {},
      allow_private_cidrs: [],
    },
    secrets: fileSecrets(dir),
    dbPath: process.env.BENCH_DB === "memory" ? ":memory:" : join(dir, "proxy.db"),
    limits: { maxInFlightPerAgent: 10_000 },
  });
  await new Promise<void>((r) => proxy.server.listen(0, "127.0.0.1", r));
  const port = (proxy.server.address() as AddressInfo).port;
  process.stdout.write(
    `${JSON.stringify({ fake: fake.url, proxy: `http://127.0.0.1:${port}/llm/openai` })}\n`,
  );
  process.on("SIGTERM", () => {
    void proxy
      .close()
      .then(() => fake.close())
      .then(() => process.exit(0));
  });
}

const BODY = (stream: boolean) =>
  JSON.stringify({
    model: "gpt-4o-mini",
    stream,
    messages: [{ role: "user", content: "benchmark the proxy please" }],
  });

const pct = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const r2 = (n: number): number => Math.round(n * 1000) / 1000;

interface Target {
  pool: Pool;
  path: string;
}

async function request(target: Target, stream: boolean): Promise<{ total: number; ttfb: number }> {
  const t0 = performance.now();
  const res = await target.pool.request({
    path: target.path,
    method: "POST",
    headers: { authorization: `Bearer ${agentToken(MASTER, "bench")}`, "content-type": "application/json" },
    body: BODY(stream),
  });
  let ttfb = 0;
  for await (const _chunk of res.body) if (ttfb === 0) ttfb = performance.now() - t0;
  if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`);
  return { total: performance.now() - t0, ttfb };
}

async function sequential(
  target: Target,
  stream: boolean,
  n: number,
): Promise<{ p50: number; p99: number; ttfbP99: number }> {
  for (let i = 0; i < Math.min(200, n); i++) await request(target, stream);
  const totals: number[] = [];
  const ttfbs: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = await request(target, stream);
    totals.push(r.total);
    ttfbs.push(r.ttfb);
  }
  totals.sort((a, b) => a - b);
  ttfbs.sort((a, b) => a - b);
  return { p50: pct(totals, 50), p99: pct(totals, 99), ttfbP99: pct(ttfbs, 99) };
}

async function throughput(
  target: Target,
  stream: boolean,
  connections: number,
  seconds: number,
): Promise<number> {
  const end = performance.now() + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < end) {
        await request(target, stream);
        done++;
      }
    }),
  );
  return done / seconds;
}

export async function runBench(quick: boolean): Promise<void> {
  const child = spawn(process.execPath, [...process.execArgv, join(here, "proxy.ts"), "--serve"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const urls = await new Promise<{ fake: string; proxy: string }>((resolve, reject) => {
    child.stdout.once("data", (d: Buffer) =>
      resolve(JSON.parse(d.toString()) as { fake: string; proxy: string }),
    );
    child.once("exit", (code) => reject(new Error(`server exited ${code}`)));
  });
  const n = quick ? 400 : 3000;
  const seconds = quick ? 4 : 10;
  const connections = 50;
  const direct: Target = { pool: new Pool(urls.fake, { connections }), path: "/v1/chat/completions" };
  const proxied: Target = {
    pool: new Pool(new URL(urls.proxy).origin, { connections }),
    path: "/llm/openai/v1/chat/completions",
  };
  try {
    const seq = {
      json_direct: await sequential(direct, false, n),
      json_proxy: await sequential(proxied, false, n),
      sse_direct: await sequential(direct, true, n),
      sse_proxy: await sequential(proxied, true, n),
    };
    const rps = {
      json_direct: await throughput(direct, false, connections, seconds),
      json_proxy: await throughput(proxied, false, connections, seconds),
      sse_direct: await throughput(direct, true, connections, seconds),
      sse_proxy: await throughput(proxied, true, connections, seconds),
    };
    const results = {
      node: process.version,
      cpus: cpus().length,
      cpu_model: cpus()[0]?.model ?? "unknown",
      mode: quick ? "quick" : "full",
      sequential_requests: n,
      throughput_seconds: seconds,
      connections,
      json_rps_direct: Math.round(rps.json_direct),
      json_rps_proxy: Math.round(rps.json_proxy),
      sse_rps_direct: Math.round(rps.sse_direct),
      sse_rps_proxy: Math.round(rps.sse_proxy),
      json_throughput_ratio: r2(rps.json_proxy / rps.json_direct),
      sse_throughput_ratio: r2(rps.sse_proxy / rps.sse_direct),
      json_p50_direct_ms: r2(seq.json_direct.p50),
      json_p50_proxy_ms: r2(seq.json_proxy.p50),
      json_p99_direct_ms: r2(seq.json_direct.p99),
      json_p99_proxy_ms: r2(seq.json_proxy.p99),
      p50_added_ms: r2(seq.json_proxy.p50 - seq.json_direct.p50),
      p99_added_ms: r2(seq.json_proxy.p99 - seq.json_direct.p99),
      sse_p50_added_ms: r2(seq.sse_proxy.p50 - seq.sse_direct.p50),
      sse_p99_added_ms: r2(seq.sse_proxy.p99 - seq.sse_direct.p99),
      sse_ttfb_added_p99_ms: r2(seq.sse_proxy.ttfbP99 - seq.sse_direct.ttfbP99),
    };
    const out = join(here, "results");
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, "proxy.json"), `${JSON.stringify(results, null, 2)}\n`);
    const table = Object.entries(results)
      .map(([k, v]) => `| ${k} | ${v} |`)
      .join("\n");
    writeFileSync(
      join(out, "proxy.md"),
      `# Egress proxy benchmark\n\n| metric | value |\n|---|---|\n${table}\n`,
    );
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  } finally {
    await direct.pool.close();
    await proxied.pool.close();
    child.kill("SIGTERM");
  }
}
