import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Json } from "../../../services/mesh/modules/orchestration/cel.js";
import {
  type EffectSink,
  loaded,
  WorkflowRunner,
} from "../../../services/mesh/modules/orchestration/workflow/runner.js";
import { WorkflowStore } from "../../../services/mesh/modules/orchestration/workflow/store.js";
import type { DispatchEffect, Effect } from "../../../services/mesh/modules/orchestration/workflow/types.js";
import { migrate } from "../../../services/mesh/store/migrations/index.js";
import { wf } from "./helpers.js";

/** A fake agent fleet: records every dispatch; performs a side effect once per idempotency key. */
class FakeAgents implements EffectSink {
  deliveries: DispatchEffect[] = [];
  sideEffects = new Map<string, number>();
  notifications: string[] = [];
  deliver(_row: unknown, effect: Effect): void {
    if (effect.type === "dispatch") {
      this.deliveries.push(effect);
      if (!this.sideEffects.has(effect.key)) this.sideEffects.set(effect.key, this.sideEffects.size + 1);
    }
    if (effect.type === "notify") this.notifications.push(effect.text);
  }
  keysFor(step: string): string[] {
    return this.deliveries.filter((d) => d.step_id === step).map((d) => d.key);
  }
}

const source: Json = {
  name: "chain",
  defaults: { agent: "w", timeout: "10m" },
  steps: [
    { id: "a" },
    { id: "b", depends_on: ["a"], retry: { max_attempts: 3, backoff: { initial: "40s", jitter: "none" } } },
    { id: "c", depends_on: ["b"] },
    { id: "p", idempotent: false },
  ],
};

describe("durable workflow runner (real SQLite file)", () => {
  let dir: string;
  let db: Database.Database;
  let now: number;
  const open = (agents: FakeAgents) => {
    db = new Database(join(dir, "mesh.db"));
    db.pragma("journal_mode = WAL");
    migrate(db);
    const store = new WorkflowStore(db);
    const runner = new WorkflowRunner({
      db,
      store,
      clock: { now: () => now },
      sink: agents,
      random: () => 0.5,
      workflows: new Map([["chain", loaded(wf(source as Record<string, unknown>), source)]]),
    });
    return { store, runner };
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "orch-"));
    now = Date.UTC(2026, 0, 1, 10);
  });
  afterEach(() => {
    if (db?.open) db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("kill mid-run: finished steps are not re-run, the in-flight step is re-sent with the same key, side effect once", async () => {
    const agents = new FakeAgents();
    let { runner } = open(agents);
    const run = runner.start("chain", {}, { kind: "manual", name: "operator", payload: null });
    await runner.drain();
    runner.report(agents.keysFor("a")[0] as string, "w", { ok: true, result: { n: 1 } });
    runner.report(agents.keysFor("p")[0] as string, "w", { ok: true, result: {} });
    await runner.drain();
    const keyB = agents.keysFor("b")[0];
    expect(keyB).toBeDefined();
    db.close(); // crash: no stop(), no flush beyond what was committed

    const after = new FakeAgents();
    ({ runner } = open(after));
    expect(runner.recover()).toBe(1);
    await runner.drain();
    expect(after.deliveries.map((d) => [d.step_id, d.attempt, d.redelivery])).toEqual([["b", 1, true]]);
    expect(after.keysFor("b")).toEqual([keyB]);
    runner.report(keyB as string, "w", { ok: true, result: {} });
    await runner.drain();
    expect(after.deliveries.map((d) => d.step_id)).toEqual(["b", "c"]);
    runner.report(after.keysFor("c")[0] as string, "w", { ok: true, result: {} });
    const { store } = { store: new WorkflowStore(db) };
    expect(store.load(run.run_id!)?.run.status).toBe("succeeded");
    const allKeys = [...agents.deliveries, ...after.deliveries].map(
      (d) => `${d.step_id}:${d.attempt}:${d.key}`,
    );
    expect(new Set(allKeys).size).toBe(4); // a, p, b (sent twice with one key), c
  });

  it("restart during backoff keeps next_attempt_at; a non-idempotent running step is interrupted, not re-sent", async () => {
    const agents = new FakeAgents();
    let { runner, store } = open(agents);
    const run = runner.start("chain", {}, { kind: "manual", name: "operator", payload: null });
    await runner.drain();
    runner.report(agents.keysFor("a")[0] as string, "w", { ok: true, result: {} });
    await runner.drain();
    const t = now;
    runner.report(agents.keysFor("b")[0] as string, "w", {
      ok: false,
      error: { kind: "error", message: "flaky" },
    });
    expect(store.load(run.run_id!)?.steps.find((s) => s.id === "b")?.next_attempt_at).toBe(t + 40_000);
    db.close();

    now = t + 10_000;
    const after = new FakeAgents();
    ({ runner, store } = open(after));
    runner.recover();
    await runner.drain();
    expect(after.deliveries).toEqual([]);
    expect(after.notifications[0]).toContain('step "p"');
    expect(store.load(run.run_id!)?.steps.find((s) => s.id === "p")?.status).toBe("interrupted");
    now = t + 39_999;
    runner.tick();
    await runner.drain();
    expect(after.deliveries).toEqual([]);
    now = t + 40_000;
    runner.tick();
    await runner.drain();
    expect(after.deliveries.map((d) => [d.step_id, d.attempt])).toEqual([["b", 2]]);
  });

  it("approval waits durably across a restart", async () => {
    const appr: Json = {
      name: "chain",
      steps: [
        { id: "ok", action: "approval" },
        { id: "go", agent: "w", depends_on: ["ok"] },
      ],
    };
    const agents = new FakeAgents();
    db = new Database(join(dir, "mesh.db"));
    migrate(db);
    const mk = () =>
      new WorkflowRunner({
        db,
        store: new WorkflowStore(db),
        clock: { now: () => now },
        sink: agents,
        workflows: new Map([["chain", loaded(wf(appr as Record<string, unknown>), appr)]]),
      });
    const run = mk().start("chain", {}, { kind: "manual", name: "op", payload: null });
    db.close();
    db = new Database(join(dir, "mesh.db"));
    const runner = mk();
    runner.recover();
    expect(new WorkflowStore(db).load(run.run_id!)?.steps[0]?.status).toBe("waiting_approval");
    runner.handle(run.run_id!, { type: "decision", step: "ok", approve: true, by: "owner" });
    await runner.drain();
    expect(agents.deliveries.map((d) => d.step_id)).toEqual(["go"]);
  });

  it("a result for an old attempt is discarded (fencing) and a wrong agent is refused", async () => {
    const agents = new FakeAgents();
    const { runner } = open(agents);
    runner.start("chain", {}, { kind: "manual", name: "op", payload: null });
    await runner.drain();
    const keyA = agents.keysFor("a")[0] as string;
    expect(() => runner.report(keyA, "intruder", { ok: true, result: {} })).toThrow(
      expect.objectContaining({ code: "OL_ERR_ORCH_NOT_YOUR_STEP" }),
    );
    expect(runner.report(keyA, "w", { ok: true, result: {} }).accepted).toBe(true);
    expect(runner.report(keyA, "w", { ok: true, result: {} }).accepted).toBe(false);
    expect(() => runner.report("f".repeat(64), null, { ok: true, result: {} })).toThrow(
      expect.objectContaining({ code: "OL_ERR_ORCH_STALE_RESULT" }),
    );
  });

  it("bad inputs are refused with every problem listed", () => {
    const withInputs: Json = {
      name: "chain",
      inputs: { topic: { type: "string", required: true } },
      steps: [{ id: "a", action: "noop" }],
    };
    const agents = new FakeAgents();
    db = new Database(":memory:");
    migrate(db);
    const runner = new WorkflowRunner({
      db,
      store: new WorkflowStore(db),
      clock: { now: () => now },
      sink: agents,
      workflows: new Map([["chain", loaded(wf(withInputs as Record<string, unknown>), withInputs)]]),
    });
    expect(() => runner.start("chain", { extra: 1 }, { kind: "manual", name: "op", payload: null })).toThrow(
      expect.objectContaining({
        code: "OL_ERR_ORCH_BAD_INPUTS",
        message: expect.stringContaining('input "topic" is required'),
      }),
    );
    const out = runner.start("chain", { topic: "x" }, { kind: "manual", name: "op", payload: null });
    expect(out.state === "started" && out.snapshot.run.status).toBe("succeeded");
  });
});
