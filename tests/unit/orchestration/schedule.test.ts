import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { planDue } from "../../../services/mesh/modules/orchestration/schedule/plan.js";
import {
  type ScheduleInput,
  Scheduler,
  slotKey,
} from "../../../services/mesh/modules/orchestration/schedule/scheduler.js";
import {
  jitterOffset,
  nextSlot,
  parseSpec,
  specWarnings,
} from "../../../services/mesh/modules/orchestration/schedule/spec.js";
import { ScheduleStore } from "../../../services/mesh/modules/orchestration/schedule/store.js";
import { migrate } from "../../../services/mesh/store/migrations/index.js";

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
const at = (s: string) => Date.parse(s);
const slots = (spec: ReturnType<typeof parseSpec>, from: string, n: number, offset = 0) => {
  const out: string[] = [];
  let t = at(from);
  for (let i = 0; i < n; i++) {
    t = nextSlot(spec, t, offset) as number;
    out.push(iso(t) as string);
  }
  return out;
};

describe("schedule specs", () => {
  it("every 30m aligns to the epoch plus a stable per-job offset below the jitter", () => {
    const off = jitterOffset("job-j", 120_000);
    expect(off).toBe(jitterOffset("job-j", 120_000));
    expect(off).toBeGreaterThanOrEqual(0);
    expect(off).toBeLessThan(120_000);
    const got = slots(parseSpec("every 30m"), "2026-01-01T10:07:00Z", 2, off);
    expect(got).toEqual([iso(at("2026-01-01T10:30:00Z") + off), iso(at("2026-01-01T11:00:00Z") + off)]);
  });

  it("DST spring forward, fixed time: 02:30 New York runs at 03:00 EDT on the gap day", () => {
    const spec = parseSpec("30 2 * * *", "America/New_York");
    expect(slots(spec, "2026-03-06T12:00:00Z", 3)).toEqual([
      "2026-03-07T07:30:00.000Z",
      "2026-03-08T07:00:00.000Z",
      "2026-03-09T06:30:00.000Z",
    ]);
  });

  it("DST fall back, fixed time: 01:30 runs once on the repeated hour", () => {
    const spec = parseSpec("30 1 * * *", "America/New_York");
    expect(slots(spec, "2026-10-31T12:00:00Z", 2)).toEqual([
      "2026-11-01T05:30:00.000Z",
      "2026-11-02T06:30:00.000Z",
    ]);
  });

  it("DST with an interval pattern keeps both 01:xx occurrences and skips the spring gap", () => {
    const spec = parseSpec("*/30 * * * *", "America/New_York");
    expect(slots(spec, "2026-11-01T04:10:00Z", 6)).toEqual([
      "2026-11-01T04:30:00.000Z",
      "2026-11-01T05:00:00.000Z",
      "2026-11-01T05:30:00.000Z",
      "2026-11-01T06:00:00.000Z",
      "2026-11-01T06:30:00.000Z",
      "2026-11-01T07:00:00.000Z",
    ]);
    expect(slots(spec, "2026-03-08T06:10:00Z", 2)).toEqual([
      "2026-03-08T06:30:00.000Z",
      "2026-03-08T07:00:00.000Z",
    ]);
  });

  it.each([
    ["61 * * * *", "UTC", "minute: 61"],
    ["0 * * * *", "Mars/Olympus", "unknown time zone"],
    ["every 10s", "UTC", "every"],
    ["every 30m", "Europe/Berlin", "time zone applies to cron only"],
    ["0 0 * * * *", "UTC", "5 parts"],
    ["at tomorrow", "UTC", "one-shot"],
  ])("%s (tz %s) is refused: %s", (spec, tz, fragment) => {
    expect(() => parseSpec(spec, tz)).toThrow(
      expect.objectContaining({
        code: "OL_ERR_ORCH_BAD_SCHEDULE",
        message: expect.stringContaining(fragment),
      }),
    );
  });

  it("DOM+DOW patterns load with an OR warning; `at` is one-shot", () => {
    expect(specWarnings(parseSpec("0 9 15 * 1"))).toHaveLength(1);
    const once = parseSpec("at 2026-03-01T09:00:00Z");
    expect(nextSlot(once, at("2026-02-01T00:00:00Z"))).toBe(at("2026-03-01T09:00:00Z"));
    expect(nextSlot(once, at("2026-03-01T09:00:00Z"))).toBeUndefined();
  });
});

describe("catch-up after downtime", () => {
  const every30 = parseSpec("every 30m");
  const down = {
    spec: every30,
    nextRunAt: at("2026-01-01T10:00:00Z"),
    now: at("2026-01-01T13:10:00Z"),
    offset: 0,
    graceMs: 60_000,
  };

  it("once: exactly one (the latest) slot fires, six others counted missed, next at 13:30", () => {
    const plan = planDue({ ...down, catchUp: "once" });
    expect(plan.fire.map(iso)).toEqual(["2026-01-01T13:00:00.000Z"]);
    expect(plan.missed).toBe(6);
    expect(iso(plan.next)).toBe("2026-01-01T13:30:00.000Z");
  });

  it("skip: nothing fires; every slot is recorded missed", () => {
    const plan = planDue({ ...down, catchUp: "skip" });
    expect(plan.fire).toEqual([]);
    expect(plan.missed).toBe(7);
  });

  it("all: the most recent max_catchup slots fire in order", () => {
    const plan = planDue({
      spec: parseSpec("0 * * * *"),
      nextRunAt: at("2026-01-01T08:00:00Z"),
      now: at("2026-01-01T13:05:00Z"),
      offset: 0,
      graceMs: 60_000,
      catchUp: "all",
      maxCatchup: 3,
    });
    expect(plan.fire.map(iso)).toEqual([
      "2026-01-01T11:00:00.000Z",
      "2026-01-01T12:00:00.000Z",
      "2026-01-01T13:00:00.000Z",
    ]);
  });
});

describe("scheduler with a persisted table", () => {
  let db: Database.Database | undefined;
  afterEach(() => db?.close());

  const job: ScheduleInput = {
    id: "config:digest",
    source: "config",
    agent: "w",
    spec: "every 1m",
    timezone: "UTC",
    message: "digest",
    workflow: null,
    catch_up: "skip",
    jitter_ms: 0,
  };

  it("fires each slot once across a restart (last fire persisted) and keys are per slot", () => {
    db = new Database(":memory:");
    migrate(db);
    let now = at("2026-01-01T10:00:30Z");
    const fired: string[] = [];
    const mk = () =>
      new Scheduler({
        store: new ScheduleStore(db as Database.Database),
        clock: { now: () => now },
        fire: (_r, slot, key) => fired.push(`${iso(slot)} ${key.slice(0, 8)}`),
      });
    const s1 = mk();
    s1.syncConfig([job]);
    now = at("2026-01-01T10:01:02Z");
    expect(s1.tick()).toBe(1);
    expect(s1.tick()).toBe(0);
    const s2 = mk(); // restart: same table
    s2.syncConfig([job]);
    expect(s2.tick()).toBe(0);
    now = at("2026-01-01T10:02:00Z");
    expect(s2.tick()).toBe(1);
    expect(fired).toEqual([
      `2026-01-01T10:01:00.000Z ${slotKey(job.id, at("2026-01-01T10:01:00Z")).slice(0, 8)}`,
      `2026-01-01T10:02:00.000Z ${slotKey(job.id, at("2026-01-01T10:02:00Z")).slice(0, 8)}`,
    ]);
  });

  it("a long outage with skip fires nothing at startup and resumes on the next slot", () => {
    db = new Database(":memory:");
    migrate(db);
    let now = at("2026-01-01T10:00:30Z");
    let fires = 0;
    const store = new ScheduleStore(db);
    const s = new Scheduler({ store, clock: { now: () => now }, fire: () => fires++ });
    s.syncConfig([{ ...job, spec: "every 30m" }]);
    now = at("2026-01-01T13:10:00Z");
    expect(s.tick()).toBe(0);
    expect(store.get(job.id)).toMatchObject({ missed_total: 6, next_run_at: at("2026-01-01T13:30:00Z") });
    now = at("2026-01-01T13:30:01Z");
    expect(s.tick()).toBe(1);
    expect(fires).toBe(1);
  });

  it("removing a schedule from the config removes it; agent schedules stay", () => {
    db = new Database(":memory:");
    migrate(db);
    const store = new ScheduleStore(db);
    const s = new Scheduler({ store, clock: { now: () => 0 }, fire: () => {} });
    s.syncConfig([job]);
    s.put({ ...job, id: "agent:w:mine", source: "agent" });
    s.syncConfig([]);
    expect(store.all().map((r) => r.id)).toEqual(["agent:w:mine"]);
  });
});
