import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import type { Pool } from "undici";
import { firstJsonLine, startChild, TS_FLAGS } from "./lib/processes.js";
import {
  AGENTS,
  CLIENTS,
  here,
  hit,
  pool as newPool,
  pct,
  rawSqlite,
  readOp,
  round,
  rssMb,
  seed,
  startMesh,
  stopMesh,
  tok,
  window,
  writeOp,
} from "./mesh-lib.js";
import { summarise } from "./mesh-prof.js";

export async function runBench(argv: readonly string[]): Promise<void> {
  const quick = argv.includes("--quick");
  const profile = argv.includes("--profile");
  const seconds = quick ? 4 : 10;
  const pools: Pool[] = [];
  const pool = (url: string) => {
    const p = newPool(url);
    pools.push(p);
    return p;
  };

  // 1. Baseline: the bare HTTP stack with the same driver, connections and payloads.
  const base = startChild("baseline", [...TS_FLAGS, join(here, "mesh-baseline.ts")]);
  const baseUrl = (await firstJsonLine<{ url: string }>(base)).url;
  const bp = pool(baseUrl);
  await window(1, readOp(bp));
  const baseReads = await window(quick ? 3 : 5, readOp(bp));
  const baseWrites = await window(quick ? 3 : 5, writeOp(bp));
  await base.stop();

  // 2. The mesh (default durability), seeded with 100 agents' worth of state.
  const sink = startChild("sink", ["--no-warnings", join(here, "mesh-sink.ts")]);
  const sinkUrl = (await firstJsonLine<{ url: string }>(sink)).url;
  const profileDir = profile ? mkdtempSync(join(tmpdir(), "ol-bench-prof-")) : undefined;
  const mesh = await startMesh(sinkUrl, "full", profileDir);
  const mp = pool(mesh.url);
  await seed(mp);
  await window(1, readOp(mp));
  const writes = await window(seconds, writeOp(mp));
  const reads = await window(seconds, readOp(mp));

  // Delivery: messages to the sink agent in groups of 10; latency is measured at the agent.
  const messages = quick ? 1000 : 3000;
  for (let i = 0; i < messages; i += 10) {
    await Promise.all(
      Array.from({ length: 10 }, (_, j) =>
        hit(
          mp,
          "POST",
          "/v1/messages",
          tok(i + j),
          JSON.stringify({ to: "sink", payload: { sent_at: Date.now() } }),
        ),
      ),
    );
  }
  const stats = async () =>
    (await (await fetch(`${sinkUrl}/stats`)).json()) as { delivered: number; latencies: number[] };
  let s = await stats();
  for (let tries = 0; s.delivered < messages && tries < 300; tries++) {
    await new Promise((r) => setTimeout(r, 100));
    s = await stats();
  }
  const lat = [...s.latencies].sort((a, b) => a - b);
  const rss = rssMb(mesh.child.process.pid);
  await stopMesh(mesh);
  await sink.stop();

  // 3. Same writes with the opt-out OPENLEGION_SQLITE_SYNC=normal (no fsync per commit): the cost of FULL.
  const normal = await startMesh("http://127.0.0.1:9", "normal");
  const np = pool(normal.url);
  await window(1, writeOp(np));
  const normalWrites = await window(seconds, writeOp(np));
  await stopMesh(normal);
  await Promise.all(pools.map((p) => p.close()));

  let commit = "unknown";
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: here }).toString().trim();
  } catch {}
  const results = {
    node: process.version,
    cpus: cpus().length,
    cpu_model: cpus()[0]?.model ?? "unknown",
    commit,
    mode: quick ? "quick" : "full",
    clients: CLIENTS,
    agents: AGENTS,
    window_seconds: seconds,
    sqlite_synchronous: "FULL",
    write_ops_s_full: writes.ops_s,
    write_p50_ms: writes.p50_ms,
    write_p99_ms: writes.p99_ms,
    read_ops_s: reads.ops_s,
    read_p50_ms: reads.p50_ms,
    read_p99_ms: reads.p99_ms,
    errors: writes.errors + reads.errors + normalWrites.errors,
    messages_sent: messages,
    messages_delivered: s.delivered,
    deliver_p50_ms: round(pct(lat, 50)),
    deliver_p99_ms: round(pct(lat, 99)),
    rss_mb: rss,
    write_ops_s_normal: normalWrites.ops_s,
    write_normal_p99_ms: normalWrites.p99_ms,
    baseline_http_read_ops_s: baseReads.ops_s,
    baseline_http_read_p99_ms: baseReads.p99_ms,
    baseline_http_write_ops_s: baseWrites.ops_s,
    baseline_http_write_p99_ms: baseWrites.p99_ms,
    baseline_sqlite_full_ops_s: rawSqlite(quick ? 2 : 5, "FULL"),
    baseline_sqlite_normal_ops_s: rawSqlite(quick ? 2 : 5, "NORMAL"),
  };
  const out = join(here, "results");
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "mesh.json"), `${JSON.stringify(results, null, 2)}\n`);
  const rows = Object.entries(results).map(([k, v]) => `| ${k} | ${v} |`);
  writeFileSync(
    join(out, "mesh.md"),
    `# Mesh benchmark\n\n| metric | value |\n|---|---|\n${rows.join("\n")}\n`,
  );
  if (profileDir) {
    const file = readdirSync(profileDir).find((f) => f.endsWith(".cpuprofile"));
    if (file) {
      const text = summarise(JSON.parse(readFileSync(join(profileDir, file), "utf8")), 30);
      writeFileSync(join(out, "mesh-profile.txt"), `${text}\n`);
      process.stdout.write(`${text}\n\n`);
    }
    rmSync(profileDir, { recursive: true, force: true });
  }
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
}
