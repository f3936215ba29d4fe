import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import {
  type HeartbeatDef,
  HeartbeatStore,
  heartbeatTick,
} from "../../../services/mesh/modules/orchestration/heartbeat/heartbeat.js";
import { decide } from "../../../services/mesh/modules/orchestration/heartbeat/policy.js";
import { migrate } from "../../../services/mesh/store/migrations/index.js";

const def: HeartbeatDef = { agent: "ops", every_ms: 900_000, probes: ["disk", "signals", "tasks", "inbox"] };

describe("heartbeat policy", () => {
  it("quiet when nothing is found; wake names the findings", () => {
    const quiet = decide({
      results: [
        { probe: "disk", ok: true, value: 0.2, detail: "20% used" },
        { probe: "signals", ok: true, value: 0, detail: "0 pending" },
      ],
      priorErrorTicks: 0,
      busy: false,
    });
    expect(quiet.kind).toBe("quiet");
    const wake = decide({
      results: [{ probe: "tasks", ok: true, value: 2, detail: "2 pending in tasks/ops/" }],
      priorErrorTicks: 0,
      busy: false,
    });
    expect(wake).toMatchObject({ kind: "wake", findings: ["tasks: 2 pending in tasks/ops/"] });
  });

  it("busy ticks are skipped; a probe failing 3 ticks in a row alerts the owner without the LLM", () => {
    expect(decide({ results: [], priorErrorTicks: 0, busy: true }).kind).toBe("skipped_busy");
    const err = [{ probe: "disk" as const, ok: false as const, error: "HTTP 500" }];
    expect(decide({ results: err, priorErrorTicks: 1, busy: false }).kind).toBe("quiet");
    expect(decide({ results: err, priorErrorTicks: 2, busy: false }).kind).toBe("alert_owner");
  });
});

describe("heartbeat ticks", () => {
  let db: Database.Database | undefined;
  afterEach(() => db?.close());

  it("10 quiet ticks: zero wakes, 10 recorded ticks with cost 0", async () => {
    db = new Database(":memory:");
    migrate(db);
    const store = new HeartbeatStore(db);
    const wakes: string[] = [];
    const zero = (probe: "disk" | "signals" | "tasks" | "inbox") => () => ({
      probe,
      ok: true as const,
      value: 0,
      detail: "0",
    });
    for (let i = 0; i < 10; i++)
      await heartbeatTick({
        def,
        probes: { disk: zero("disk"), signals: zero("signals"), tasks: zero("tasks"), inbox: zero("inbox") },
        store,
        now: () => i,
        busy: false,
        wake: (_a, p) => wakes.push(p),
        alertOwner: () => {},
      });
    expect(wakes).toEqual([]);
    const ticks = store.recent("ops", 100);
    expect(ticks).toHaveLength(10);
    expect(ticks.every((t) => t.decision === "quiet" && t.cost_usd === 0)).toBe(true);
  });

  it("a finding wakes the agent with a bounded prompt; cost is left to the proxy's meter", async () => {
    db = new Database(":memory:");
    migrate(db);
    const store = new HeartbeatStore(db);
    const wakes: string[] = [];
    const rec = await heartbeatTick({
      def: { ...def, probes: ["signals"] },
      probes: {
        signals: () => ({ probe: "signals", ok: true, value: 3, detail: "3 keys under signals/ops/" }),
      },
      store,
      now: () => 1,
      busy: false,
      wake: (_a, p) => wakes.push(p),
      alertOwner: () => {},
    });
    expect(rec.cost_usd).toBeNull();
    expect(wakes[0]).toContain("3 keys under signals/ops/");
  });

  it("a hanging or throwing probe becomes a recorded error, and three in a row alert the owner once", async () => {
    db = new Database(":memory:");
    migrate(db);
    const store = new HeartbeatStore(db);
    const alerts: string[] = [];
    for (let i = 0; i < 3; i++)
      await heartbeatTick({
        def: { ...def, probes: ["disk", "inbox"] },
        probes: {
          disk: () => new Promise(() => {}),
          inbox: () => {
            throw new Error("db closed");
          },
        },
        store,
        now: () => i,
        busy: false,
        wake: () => {},
        alertOwner: (_a, t) => alerts.push(t),
        probe_timeout_ms: 5,
      });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toContain("disk (timed out after 5 ms)");
  });
});
