import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import type { Pool } from "undici";
import { firstJsonLine, startChild, TS_FLAGS } from "./lib/processes.js";
import { figure, machine, rounds } from "./lib/rounds.js";
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
  const seconds = quick ? 0.8 : 3;
  const roundCount = quick ? 5 : 7;
  const pools: Pool[] = [];
  const pool = (url: string) => {
    const p = newPool(url);
    pools.push(p);
    return p;
  };
  const start = machine("start");

  // Every subject runs for the whole bench, so each round visits all of them back to back:
  //  baseline  bare Fastify with the same route shapes (the HTTP ceiling here);
  //  full      the mesh as shipped: synchronous=FULL, production rate limits (the figures of issue 15);
  //  normal    OPENLEGION_SQLITE_SYNC=normal (the opt-out; issue 23 needs FULL against it);
  //  unlimited FULL with the rate limits lifted (labelled: shows what the limiter costs).
  const base = startChild("baseline", [...TS_FLAGS, join(here, "mesh-baseline.ts")]);
  const baseUrl = (await firstJsonLine<{ url: string }>(base)).url;
  const sink = startChild("sink", ["--no-warnings", join(here, "mesh-sink.ts")]);
  const sinkUrl = (await firstJsonLine<{ url: string }>(sink)).url;
  const profileDir = profile ? mkdtempSync(join(tmpdir(), "ol-bench-prof-")) : undefined;
  const full = await startMesh(sinkUrl, "full", profileDir);
  const normal = await startMesh("http://127.0.0.1:9", "normal");
  const unlimited = await startMesh("http://127.0.0.1:9", "full", undefined, "unlimited");
  const subjects = [
    { name: "baseline", pool: pool(baseUrl), child: base },
    { name: "full", pool: pool(full.url), child: full.child },
    { name: "normal", pool: pool(normal.url), child: normal.child },
    { name: "unlimited", pool: pool(unlimited.url), child: unlimited.child },
  ];
  const readers = subjects.filter((x) => x.name !== "normal");
  for (const x of readers) if (x.name !== "baseline") await seed(x.pool);
  for (const x of subjects) await window(0.5, (x.name === "normal" ? writeOp : readOp)(x.pool));

  const perRound = new Map<string, number[]>();
  const record = (key: string, v: number) => perRound.set(key, [...(perRound.get(key) ?? []), v]);
  const get = (key: string) => perRound.get(key) ?? [];
  const rotate = <T>(xs: T[], r: number) => xs.map((_, i) => xs[(i + r) % xs.length] as T);
  let errors = 0;
  await rounds(roundCount, async (r) => {
    for (const x of rotate(readers, r)) {
      const w = await window(seconds, readOp(x.pool), x.child);
      errors += w.errors;
      record(`${x.name}_read_ops_s`, w.ops_s);
      record(`${x.name}_read_p99_ms`, w.p99_ms);
      record(`${x.name}_read_cpu_us`, w.cpu_us_per_op);
    }
    for (const x of rotate(subjects, r)) {
      const w = await window(seconds, writeOp(x.pool), x.child);
      errors += w.errors;
      record(`${x.name}_write_ops_s`, w.ops_s);
      record(`${x.name}_write_p50_ms`, w.p50_ms);
      record(`${x.name}_write_p99_ms`, w.p99_ms);
      record(`${x.name}_write_cpu_us`, w.cpu_us_per_op);
    }
  });
  const ratio = (a: string, b: string) => get(a).map((x, i) => x / (get(b)[i] ?? Number.NaN));

  // Delivery: messages to the sink agent in groups of 10; latency is measured at the agent.
  const mp = subjects[1]?.pool as Pool;
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
  const rss = rssMb(full.child.process.pid);
  await Promise.all(pools.map((p) => p.close()));
  for (const m of [full, normal, unlimited]) await stopMesh(m);
  await base.stop();
  await sink.stop();

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
    rounds: roundCount,
    clients: CLIENTS,
    agents: AGENTS,
    window_seconds: seconds,
    rate_limits: "production (200 req/s per agent, burst 400)",
    ...start,
    ...machine("end"),
    ...figure("mesh_read_ratio_vs_fastify", ratio("full_read_ops_s", "baseline_read_ops_s")),
    ...figure("mesh_write_p99_ms", get("full_write_p99_ms")),
    ...figure("mesh_write_p50_ms", get("full_write_p50_ms")),
    ...figure("write_ops_s_full", get("full_write_ops_s")),
    ...figure("write_ops_s_normal", get("normal_write_ops_s")),
    ...figure("write_normal_p99_ms", get("normal_write_p99_ms")),
    ...figure("mesh_read_ops_s", get("full_read_ops_s")),
    ...figure("mesh_read_p99_ms", get("full_read_p99_ms")),
    ...figure("mesh_read_cpu_us_per_op", get("full_read_cpu_us")),
    ...figure("mesh_write_cpu_us_per_op", get("full_write_cpu_us")),
    ...figure("baseline_http_read_ops_s", get("baseline_read_ops_s")),
    ...figure("baseline_http_read_cpu_us_per_op", get("baseline_read_cpu_us")),
    ...figure("baseline_http_write_ops_s", get("baseline_write_ops_s")),
    ...figure("baseline_http_write_cpu_us_per_op", get("baseline_write_cpu_us")),
    ...figure("unlimited_read_ratio_vs_fastify", ratio("unlimited_read_ops_s", "baseline_read_ops_s")),
    ...figure("unlimited_write_ops_s", get("unlimited_write_ops_s")),
    ...figure("unlimited_write_p99_ms", get("unlimited_write_p99_ms")),
    errors,
    messages_sent: messages,
    messages_delivered: s.delivered,
    deliver_p50_ms: round(pct(lat, 50)),
    deliver_p99_ms: round(pct(lat, 99)),
    rss_mb: rss,
    baseline_sqlite_full_ops_s: rawSqlite(quick ? 1 : 3, "FULL"),
    baseline_sqlite_normal_ops_s: rawSqlite(quick ? 1 : 3, "NORMAL"),
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
