import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { Json } from "../services/mesh/modules/orchestration/cel.js";
import { Scheduler } from "../services/mesh/modules/orchestration/schedule/scheduler.js";
import { ScheduleStore } from "../services/mesh/modules/orchestration/schedule/store.js";
import { isWorkflowDef, loadWorkflow } from "../services/mesh/modules/orchestration/workflow/definition.js";
import { apply, createRun } from "../services/mesh/modules/orchestration/workflow/engine.js";
import {
  type EffectSink,
  loaded,
  WorkflowRunner,
} from "../services/mesh/modules/orchestration/workflow/runner.js";
import { WorkflowStore } from "../services/mesh/modules/orchestration/workflow/store.js";
import type { Effect, Snapshot } from "../services/mesh/modules/orchestration/workflow/types.js";
import { migrate } from "../services/mesh/store/migrations/index.js";

const SOURCE = {
  name: "diamond",
  defaults: { agent: "worker" },
  steps: [
    { id: "a" },
    { id: "b", depends_on: ["a"] },
    { id: "c", depends_on: ["a"] },
    { id: "d", depends_on: ["b", "c"] },
    { id: "e", depends_on: ["d"] },
  ],
};

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length ? (s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number) : 0;
};
const r2 = (n: number) => Math.round(n * 100) / 100;

function definition() {
  const def = loadWorkflow(SOURCE);
  if (!isWorkflowDef(def)) throw new Error(def.issues.join("; "));
  return loaded(def, SOURCE as unknown as Json);
}

/** 1 000 runs through the durable runner with instant fake agents. */
async function engineRuns(dir: string, runs: number, inFlight: number) {
  const db = new Database(join(dir, "wf.db"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  migrate(db);
  const eligibleAt = new Map<string, number>();
  const latencies: number[] = [];
  const done = new Map<string, () => void>();
  let runner: WorkflowRunner;
  const sink: EffectSink = {
    deliver(_row, e: Effect) {
      if (e.type === "dispatch") {
        latencies.push(performance.now() - (eligibleAt.get(e.run_id) ?? performance.now()));
        queueMicrotask(() => {
          eligibleAt.set(e.run_id, performance.now());
          runner.report(e.key, "worker", { ok: true, result: { step: e.step_id } });
        });
      } else if (e.type === "finished") done.get(e.run_id)?.();
    },
  };
  const wf = definition();
  runner = new WorkflowRunner({
    db,
    store: new WorkflowStore(db),
    clock: { now: () => Date.now() },
    sink,
    workflows: new Map([["diamond", wf]]),
  });
  runner.startLoop();
  // The runner's timers are unref'd (they never hold a mesh open); keep this process alive meanwhile.
  const keepAlive = setInterval(() => {}, 1000);
  const startOne = () =>
    new Promise<void>((resolve) => {
      const t = performance.now();
      const out = runner.start("diamond", {}, { kind: "manual", name: "bench", payload: null });
      if (out.state !== "started") throw new Error("run not started");
      eligibleAt.set(out.run_id, t);
      done.set(out.run_id, resolve);
    });
  const t0 = performance.now();
  let started = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (started < runs) {
        started++;
        await startOne();
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(keepAlive);
  await runner.stop();
  const succeeded = (
    db.prepare("SELECT COUNT(*) AS n FROM workflow_runs WHERE status = 'succeeded'").get() as { n: number }
  ).n;
  db.close();
  return {
    runs_s: r2(runs / seconds),
    dispatch_p50_ms: r2(pct(latencies, 50)),
    dispatch_p99_ms: r2(pct(latencies, 99)),
    dispatches: latencies.length,
    succeeded,
  };
}

/** Baseline 1: the pure engine, same DAG, no SQLite and no runner. */
function pureEngine(runs: number) {
  const wf = definition();
  const env = { now: Date.now(), random: Math.random };
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) {
    let snap: Snapshot = createRun({
      id: `r${i}`,
      def: wf.def,
      hash: wf.hash,
      inputs: {},
      trigger: { kind: "manual", name: "b", payload: null },
      now: env.now,
    });
    let t = apply(snap, { type: "start" }, env);
    const pending = t.effects.filter((e) => e.type === "dispatch");
    while (pending.length > 0) {
      const d = pending.shift();
      if (d?.type !== "dispatch") break;
      snap = t.snapshot;
      t = apply(snap, { type: "result", step: d.step_id, attempt: d.attempt, ok: true, result: null }, env);
      pending.push(...t.effects.filter((e) => e.type === "dispatch"));
    }
    if (t.snapshot.run.status !== "succeeded") throw new Error("pure run did not succeed");
  }
  return { runs_s: r2(runs / ((performance.now() - t0) / 1000)) };
}

/** Baseline 2: one bare durable transition (IMMEDIATE transaction, one insert + one update). */
function sqliteFloor(dir: string, n: number) {
  const db = new Database(join(dir, "floor.db"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); CREATE TABLE e (id INTEGER PRIMARY KEY, v TEXT)");
  const ins = db.prepare("INSERT INTO e (v) VALUES (?)");
  const up = db.prepare("INSERT INTO t (id, v) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET v = excluded.v");
  const tx = db.transaction((i: number) => {
    ins.run(`event ${i}`);
    up.run(`state ${i}`);
  });
  const t0 = performance.now();
  for (let i = 0; i < n; i++) tx.immediate(i);
  const us = ((performance.now() - t0) * 1000) / n;
  db.close();
  return { transition_us: r2(us) };
}

/** 100 `every 1m` schedules, 10 simulated minutes at `speed`×, driven like Scheduler's own loop. */
async function scheduleAccuracy(dir: string, speed: number, jobs: number, minutes: number) {
  const db = new Database(join(dir, "sched.db"));
  db.pragma("journal_mode = WAL");
  migrate(db);
  const base = Date.UTC(2026, 0, 1, 9, 59, 30);
  const t0 = performance.now();
  const clock = { now: () => Math.floor(base + (performance.now() - t0) * speed) };
  const errors: number[] = [];
  const store = new ScheduleStore(db);
  const scheduler = new Scheduler({
    store,
    clock,
    fire: (_row, slot) => errors.push((clock.now() - slot) / speed),
  });
  for (let i = 0; i < jobs; i++)
    scheduler.put({
      id: `job${i}`,
      source: "config",
      agent: "a",
      spec: "every 1m",
      timezone: "UTC",
      message: "x",
      workflow: null,
      catch_up: "skip",
      jitter_ms: 0,
    });
  const end = base + 30_000 + (minutes - 1) * 60_000 + 1000; // slots 10:00 … 10:09
  while (clock.now() < end) {
    const next = store.nextDue() ?? end;
    if (next >= end) break;
    const waitReal = Math.max(0, (next - clock.now()) / speed);
    await new Promise((r) => setTimeout(r, waitReal));
    scheduler.tick();
  }
  db.close();
  return {
    fires: errors.length,
    expected_fires: jobs * minutes,
    error_p50_ms: r2(pct(errors, 50)),
    error_p99_ms: r2(pct(errors, 99)),
    error_max_ms: r2(Math.max(...errors)),
  };
}

export async function runWorkflowBench(argv: string[]): Promise<void> {
  const quick = argv.includes("--quick");
  const dir = mkdtempSync(join(tmpdir(), "ol-bench-wf-"));
  try {
    const runs = 1000;
    const engine = await engineRuns(dir, runs, 50);
    const pure = pureEngine(runs);
    const floor = sqliteFloor(dir, quick ? 5000 : 20000);
    const schedule = await scheduleAccuracy(dir, 60, 100, 10);
    const result = {
      node: process.version,
      cpu: cpus()[0]?.model ?? "unknown",
      cores: cpus().length,
      quick,
      runs,
      dag: "5 steps: a → b,c → d → e (diamond), instant in-process agents, real SQLite (WAL, NORMAL)",
      runs_s: engine.runs_s,
      step_dispatch_p50_ms: engine.dispatch_p50_ms,
      step_dispatch_p99_ms: engine.dispatch_p99_ms,
      dispatches: engine.dispatches,
      succeeded: engine.succeeded,
      baseline_pure_engine_runs_s: pure.runs_s,
      baseline_sqlite_transition_us: floor.transition_us,
      schedule_jobs: 100,
      schedule_sim_minutes: 10,
      schedule_clock_speed: 60,
      schedule_fires: schedule.fires,
      schedule_expected_fires: schedule.expected_fires,
      schedule_error_p50_ms: schedule.error_p50_ms,
      schedule_error_p99_ms: schedule.error_p99_ms,
      schedule_error_max_ms: schedule.error_max_ms,
    };
    const out = new URL("./results/", import.meta.url).pathname;
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, "workflows.json"), `${JSON.stringify(result, null, 2)}\n`);
    const md = [
      `# Workflow benchmark (${process.version}, ${result.cpu}, ${result.cores} cores${quick ? ", --quick" : ""})`,
      "",
      "| figure | value |",
      "|---|---|",
      `| runs/s (1 000 runs, 5-step DAG, 50 in flight, durable runner) | ${result.runs_s} |`,
      `| step dispatch p50 / p99 (ms) | ${result.step_dispatch_p50_ms} / ${result.step_dispatch_p99_ms} |`,
      `| baseline: pure engine runs/s (no SQLite) | ${result.baseline_pure_engine_runs_s} |`,
      `| baseline: one bare SQLite transition (µs) | ${result.baseline_sqlite_transition_us} |`,
      `| schedule fire error p50 / p99 / max (ms, 100 × every 1m, 10 sim. min at 60×) | ${result.schedule_error_p50_ms} / ${result.schedule_error_p99_ms} / ${result.schedule_error_max_ms} |`,
      `| schedule fires / expected | ${result.schedule_fires} / ${result.schedule_expected_fires} |`,
      "",
    ].join("\n");
    writeFileSync(join(out, "workflows.md"), md);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
