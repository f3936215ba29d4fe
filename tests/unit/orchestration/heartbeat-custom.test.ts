import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import type { HeartbeatReport } from "../../../services/common/contracts/mesh-api.js";
import { keyProblem } from "../../../services/mesh/core/keys.js";
import {
  type CustomProbeInputs,
  customProbeResults,
} from "../../../services/mesh/modules/orchestration/heartbeat/custom.js";
import {
  HeartbeatStore,
  heartbeatTick,
} from "../../../services/mesh/modules/orchestration/heartbeat/heartbeat.js";
import { decide } from "../../../services/mesh/modules/orchestration/heartbeat/policy.js";
import { migrate } from "../../../services/mesh/store/migrations/index.js";

const T0 = Date.UTC(2026, 0, 1, 12);
const inputs = (over: Partial<CustomProbeInputs> = {}): CustomProbeInputs => ({
  since: T0,
  keyProblem,
  inboxDepth: 0,
  board: () => undefined,
  ...over,
});

describe("HEARTBEAT.md probe results (pure)", () => {
  it("finds a changed file, a non-empty dir, a fresh blackboard key and a deep inbox", () => {
    const report: HeartbeatReport = {
      probes: [
        { kind: "file_changed", path: "leads.csv", mtime_ms: T0 + 1 },
        { kind: "dir_not_empty", path: "outbox", entries: 2 },
        { kind: "blackboard_key", key: "signals/ops/deploy" },
        { kind: "inbox_over", n: 5 },
      ],
      errors: [],
    };
    const results = customProbeResults(
      report,
      inputs({
        inboxDepth: 5,
        board: (k) => (k === "signals/ops/deploy" ? { updated_at: T0 + 10, updated_by: "ci" } : undefined),
      }),
    );
    expect(results.map((r) => (r.ok ? r.value : -1))).toEqual([1, 1, 1, 1]);
    const d = decide({ results, priorErrorTicks: 0, busy: false });
    expect(d.kind).toBe("wake");
    expect(d.kind === "wake" && d.findings).toEqual([
      "HEARTBEAT.md: leads.csv changed at 2026-01-01T12:00:00.001Z",
      "HEARTBEAT.md: 2 entries in outbox/",
      "HEARTBEAT.md: signals/ops/deploy updated by ci at 2026-01-01T12:00:00.010Z",
      "HEARTBEAT.md: 5 undelivered messages (HEARTBEAT.md threshold 5)",
    ]);
  });

  it("stays quiet for old files, missing paths, empty dirs, stale or absent keys, a shallow inbox", () => {
    const report: HeartbeatReport = {
      probes: [
        { kind: "file_changed", path: "old.csv", mtime_ms: T0 - 1 },
        { kind: "file_changed", path: "gone.csv", mtime_ms: null },
        { kind: "dir_not_empty", path: "outbox", entries: 0 },
        { kind: "dir_not_empty", path: "nodir", entries: null },
        { kind: "blackboard_key", key: "signals/ops/old" },
        { kind: "blackboard_key", key: "tasks/ops/none" },
        { kind: "inbox_over", n: 5 },
      ],
      errors: [],
    };
    const results = customProbeResults(
      report,
      inputs({
        inboxDepth: 4,
        board: (k) => (k.endsWith("old") ? { updated_at: T0 - 1, updated_by: "x" } : undefined),
      }),
    );
    expect(results.every((r) => r.ok && r.value === 0)).toBe(true);
    expect(decide({ results, priorErrorTicks: 0, busy: false })).toEqual({
      kind: "quiet",
      reason: "nothing found",
    });
    expect(customProbeResults(null, inputs())).toEqual([]);
  });

  it("reports evaluation errors, invalid keys and a broken block as probe errors (owner alert, not the LLM)", () => {
    const report: HeartbeatReport = {
      probes: [
        { kind: "file_changed", path: "link", mtime_ms: null, error: "it resolves outside /data" },
        { kind: "blackboard_key", key: "nope/x" },
      ],
      errors: ["probes[2] run_shell: unknown kind"],
    };
    const results = customProbeResults(report, inputs());
    expect(results).toEqual([
      { probe: "custom", ok: false, error: "file_changed link: it resolves outside /data" },
      {
        probe: "custom",
        ok: false,
        error: expect.stringMatching(/^blackboard_key nope\/x: must start with/),
      },
      { probe: "custom", ok: false, error: "HEARTBEAT.md: probes[2] run_shell: unknown kind" },
    ]);
    expect(decide({ results, priorErrorTicks: 0, busy: false }).kind).toBe("quiet");
    expect(decide({ results, priorErrorTicks: 2, busy: false }).kind).toBe("alert_owner");
  });
});

describe("heartbeat ticks with HEARTBEAT.md probes", () => {
  let db: Database.Database | undefined;
  afterEach(() => db?.close());

  it("passes the previous tick's time as `since`, names the finding in the wake prompt, times out a slow agent", async () => {
    db = new Database(":memory:");
    migrate(db);
    const store = new HeartbeatStore(db);
    const def = { agent: "ops", every_ms: 60_000, probes: [] };
    const sinces: number[] = [];
    const wakes: string[] = [];
    let mtime = T0 - 1;
    const tick = (
      at: number,
      custom = async (_a: string, since: number) => {
        sinces.push(since);
        return customProbeResults(
          { probes: [{ kind: "file_changed", path: "leads.csv", mtime_ms: mtime }], errors: [] },
          inputs({ since }),
        );
      },
    ) =>
      heartbeatTick({
        def,
        probes: {},
        store,
        now: () => at,
        busy: false,
        wake: (_a, p) => wakes.push(p),
        alertOwner: () => {},
        custom,
        probe_timeout_ms: 50,
      });
    expect((await tick(T0 + 60_000)).decision.kind).toBe("quiet");
    mtime = T0 + 90_000;
    const woke = await tick(T0 + 120_000);
    expect(woke).toMatchObject({ decision: { kind: "wake" }, cost_usd: null });
    expect(sinces).toEqual([T0, T0 + 60_000]);
    expect(wakes[0]).toContain("- HEARTBEAT.md: leads.csv changed at 2026-01-01T12:01:30.000Z");
    expect((await tick(T0 + 180_000)).decision.kind).toBe("quiet");

    const slow = await tick(T0 + 240_000, () => new Promise(() => {}));
    expect(slow.probes).toEqual([{ probe: "custom", ok: false, error: "timed out after 50 ms" }]);
    expect(store.recent("ops", 10)).toHaveLength(4);
  });
});
