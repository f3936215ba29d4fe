import { describe, expect, it } from "vitest";
import { retryDelayMs } from "../../../services/mesh/modules/orchestration/workflow/retry.js";
import { Sim, wf } from "./helpers.js";

const retrying = (extra: Record<string, unknown> = {}) =>
  wf({
    name: "retry",
    steps: [
      {
        id: "a",
        agent: "w",
        retry: { max_attempts: 3, backoff: { initial: "10s", factor: 2, jitter: "none" } },
        ...extra,
      },
    ],
  });

describe("retries, timeouts and fencing", () => {
  it("backoff: attempts start at t0, t0+10s, t0+30s; the third succeeds with attempts = 3", () => {
    const sim = new Sim(retrying());
    const t0 = sim.now;
    sim.start();
    const starts = [t0];
    sim.fail("a");
    expect(sim.step("a")).toMatchObject({ status: "retry_wait", next_attempt_at: t0 + 10_000 });
    sim.tickTo();
    starts.push(sim.now);
    sim.fail("a");
    sim.tickTo();
    starts.push(sim.now);
    sim.ok("a", { done: true });
    expect(starts).toEqual([t0, t0 + 10_000, t0 + 30_000]);
    expect(sim.step("a")).toMatchObject({ status: "succeeded", attempt: 3 });
    expect(sim.dispatches().map((d) => d.attempt)).toEqual([1, 2, 3]);
  });

  it("a tick before next_attempt_at does not start the retry early", () => {
    const sim = new Sim(retrying());
    sim.start();
    sim.fail("a");
    expect(sim.dispatched(sim.advance(9_999))).toEqual([]);
    expect(sim.dispatched(sim.advance(1))).toEqual(["a"]);
  });

  it("full jitter stays within [0, delay] for 1,000 draws with a seeded RNG", () => {
    let seed = 42;
    const rng = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const retry = {
      max_attempts: 3,
      initial_ms: 10_000,
      factor: 2,
      max_ms: 300_000,
      jitter: "full" as const,
      retry_on: [],
    };
    const draws = Array.from({ length: 1000 }, () => retryDelayMs(retry, 2, rng));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThanOrEqual(20_000);
    expect(new Set(draws).size).toBeGreaterThan(100);
    const equal = Array.from({ length: 1000 }, () => retryDelayMs({ ...retry, jitter: "equal" }, 2, rng));
    expect(Math.min(...equal)).toBeGreaterThanOrEqual(10_000);
  });

  it("persisted next_attempt_at equals now + the drawn jitter", () => {
    const sim = new Sim(
      retrying({ retry: { max_attempts: 2, backoff: { initial: "10s", jitter: "full" } } }),
    );
    sim.random = () => 0.25;
    sim.start();
    sim.fail("a");
    expect(sim.step("a").next_attempt_at).toBe(sim.now + 2_500);
  });

  it("result_schema failure is non-retryable validation", () => {
    const sim = new Sim(
      retrying({
        result_schema: { type: "object", required: ["score"], properties: { score: { type: "integer" } } },
      }),
    );
    sim.start();
    sim.ok("a", { score: "high" });
    expect(sim.step("a")).toMatchObject({ status: "failed", attempt: 1, error: { kind: "validation" } });
    expect(sim.snap.run.status).toBe("failed");
  });

  it("per-attempt timeout: timed out, cancel sent, retried; a late result of attempt 1 is discarded", () => {
    const sim = new Sim(retrying({ timeout: "1m" }));
    sim.start();
    const firstKey = sim.step("a").dispatch_key;
    const fx = sim.advance(60_000);
    expect(fx).toContainEqual(expect.objectContaining({ type: "cancel", key: firstKey, attempt: 1 }));
    expect(sim.status("a")).toBe("retry_wait");
    sim.tickTo();
    expect(sim.step("a").attempt).toBe(2);
    sim.send({ type: "result", step: "a", attempt: 1, ok: true, result: { late: true } });
    expect(sim.status("a")).toBe("running");
    expect(sim.step("a").result).toBeNull();
    sim.ok("a", { fresh: true });
    expect(sim.step("a").result).toEqual({ fresh: true });
  });

  it("retries exhausted + fail_fast: running sibling finishes, unstarted step omitted(fail_fast), handler runs, run failed", () => {
    const def = wf({
      name: "ff",
      max_parallel: 2,
      defaults: { agent: "w" },
      steps: [
        {
          id: "b",
          retry: { max_attempts: 3, backoff: { initial: "1s", jitter: "none" } },
          on_failure: "notify_owner",
        },
        { id: "c" },
        { id: "e", depends_on: ["c"], trigger_rule: "none_failed" },
      ],
      handlers: [
        {
          id: "notify_owner",
          action: "notify",
          input: { text: "Step {{failed_step.id}} failed: {{failed_step.error.message}}" },
        },
      ],
    });
    const sim = new Sim(def);
    sim.start();
    sim.fail("b");
    sim.tickTo();
    sim.fail("b");
    sim.tickTo();
    const fx = sim.fail("b");
    expect(sim.status("c")).toBe("running");
    expect(sim.step("e")).toMatchObject({ status: "omitted", reason: "fail_fast" });
    expect(fx).toContainEqual(expect.objectContaining({ type: "notify", text: "Step b failed: boom" }));
    expect(sim.snap.run.status).toBe("running");
    sim.ok("c");
    expect(sim.snap.run.status).toBe("failed");
  });

  it("continue_on_error: status failed, conclusion succeeded, downstream runs, CEL sees the status", () => {
    const def = wf({
      name: "coe",
      defaults: { agent: "w" },
      steps: [
        { id: "draft", continue_on_error: true },
        {
          id: "publish",
          depends_on: ["draft"],
          when: "draft.status == 'failed' && draft.conclusion == 'succeeded'",
        },
      ],
    });
    const sim = new Sim(def);
    sim.start();
    expect(sim.dispatched(sim.fail("draft"))).toEqual(["publish"]);
    sim.ok("publish");
    expect(sim.step("draft")).toMatchObject({ status: "failed", conclusion: "succeeded" });
    expect(sim.snap.run.status).toBe("succeeded");
  });

  it("run deadline: running cancelled, pending omitted(deadline), finally runs, run timed_out", () => {
    const def = wf({
      name: "dl",
      deadline: "5m",
      defaults: { agent: "w", timeout: "1h" },
      steps: [{ id: "a" }, { id: "b", depends_on: ["a"] }],
      finally: [{ id: "summarize", action: "noop", when: "run.status != 'succeeded'" }],
    });
    const sim = new Sim(def);
    sim.start();
    const fx = sim.advance(5 * 60_000);
    expect(fx).toContainEqual(expect.objectContaining({ type: "cancel", step_id: "a" }));
    expect(sim.step("a")).toMatchObject({ status: "cancelled" });
    expect(sim.step("b")).toMatchObject({ status: "omitted", reason: "deadline" });
    expect(sim.status("summarize")).toBe("succeeded");
    expect(sim.snap.run.status).toBe("timed_out");
  });

  it("step deadline cuts retries short", () => {
    const sim = new Sim(retrying({ deadline: "15s" }));
    sim.start();
    sim.fail("a");
    sim.tickTo();
    sim.fail("a");
    expect(sim.step("a")).toMatchObject({ status: "failed", attempt: 2 });
  });

  it("finally runs after success too, and a finally `when` reads run.status", () => {
    const def = wf({
      name: "fin",
      steps: [{ id: "a", agent: "w" }],
      finally: [
        { id: "always", action: "noop" },
        { id: "only_bad", action: "noop", when: "run.status != 'succeeded'" },
      ],
    });
    const sim = new Sim(def);
    sim.start();
    sim.ok("a");
    expect(sim.status("always")).toBe("succeeded");
    expect(sim.status("only_bad")).toBe("skipped");
    expect(sim.snap.run.status).toBe("succeeded");
  });

  it("workflow-level on_failure handlers run after the DAG settles as failed", () => {
    const def = wf({
      name: "wof",
      steps: [{ id: "a", agent: "w" }],
      handlers: [{ id: "tell", action: "notify", input: { text: "run failed at {{failed_step.id}}" } }],
      on_failure: ["tell"],
    });
    const sim = new Sim(def);
    sim.start();
    const fx = sim.fail("a");
    expect(fx).toContainEqual(
      expect.objectContaining({ type: "notify", step_id: "tell@run", text: "run failed at a" }),
    );
    expect(sim.snap.run.status).toBe("failed");
  });

  it("cancel stops running work and finishes the run cancelled", () => {
    const sim = new Sim(
      wf({
        name: "c",
        steps: [
          { id: "a", agent: "w" },
          { id: "b", agent: "w", depends_on: ["a"] },
        ],
      }),
    );
    sim.start();
    const fx = sim.send({ type: "cancel", by: "operator" });
    expect(fx).toContainEqual(expect.objectContaining({ type: "cancel", step_id: "a" }));
    expect(sim.snap.run.status).toBe("cancelled");
    expect(sim.step("b").reason).toBe("cancelled");
  });
});

describe("approvals, waits and recovery", () => {
  const approvalDef = wf({
    name: "appr",
    steps: [
      { id: "draft", agent: "w" },
      { id: "ok_to_send", action: "approval", depends_on: ["draft"] },
      { id: "send", agent: "w", depends_on: ["ok_to_send"] },
    ],
  });

  it("approval waits until a decision; approve continues, reject fails the run", () => {
    const sim = new Sim(approvalDef);
    sim.start();
    sim.ok("draft");
    expect(sim.status("ok_to_send")).toBe("waiting_approval");
    expect(sim.dispatched(sim.advance(3 * 3_600_000))).toEqual([]);
    expect(
      sim.dispatched(sim.send({ type: "decision", step: "ok_to_send", approve: true, by: "owner" })),
    ).toEqual(["send"]);

    const other = new Sim(approvalDef);
    other.start();
    other.ok("draft");
    other.send({ type: "decision", step: "ok_to_send", approve: false, by: "owner", comment: "no" });
    expect(other.step("ok_to_send").error).toEqual({ kind: "rejected", message: "rejected by owner: no" });
    expect(other.snap.run.status).toBe("failed");
  });

  it("a decision on a step that is not waiting is refused with a stable code", () => {
    const sim = new Sim(approvalDef);
    sim.start();
    expect(() => sim.send({ type: "decision", step: "draft", approve: true, by: "x" })).toThrow(
      expect.objectContaining({ code: "OL_ERR_ORCH_NOT_WAITING" }),
    );
  });

  it("wait action completes after its duration", () => {
    const sim = new Sim(
      wf({ name: "w", steps: [{ id: "pause", action: "wait", input: { duration: "2m" } }] }),
    );
    sim.start();
    expect(sim.wake).toBe(sim.now + 120_000);
    sim.tickTo();
    expect(sim.snap.run.status).toBe("succeeded");
  });

  it("recover: idempotent running step re-dispatched with the same key and attempt; non-idempotent held and owner notified", () => {
    const def = wf({
      name: "rec",
      max_parallel: 4,
      fail_fast: false,
      defaults: { agent: "w" },
      steps: [
        { id: "b" },
        { id: "p", idempotent: false },
        { id: "q", idempotent: false, on_interrupt: "fail" },
      ],
    });
    const sim = new Sim(def);
    sim.start();
    const keyB = sim.step("b").dispatch_key;
    const fx = sim.send({ type: "recover" });
    const again = fx.filter((e) => e.type === "dispatch");
    expect(again).toEqual([
      expect.objectContaining({ step_id: "b", key: keyB, attempt: 1, redelivery: true }),
    ]);
    expect(sim.status("p")).toBe("interrupted");
    expect(fx).toContainEqual(expect.objectContaining({ type: "notify", step_id: "p", agent: null }));
    expect(sim.step("q")).toMatchObject({ status: "failed", error: { kind: "interrupted" } });
    const retry = sim.send({ type: "decision", step: "p", approve: true, by: "owner" });
    expect(retry).toContainEqual(expect.objectContaining({ type: "dispatch", step_id: "p", attempt: 2 }));
  });

  it("a result after the run finished is recorded as stale and changes nothing", () => {
    const sim = new Sim(wf({ name: "s", steps: [{ id: "a", agent: "w" }] }));
    sim.start();
    sim.ok("a");
    const before = JSON.stringify(sim.snap.steps);
    sim.send({ type: "result", step: "a", attempt: 1, ok: false, error: { kind: "error", message: "x" } });
    expect(JSON.stringify(sim.snap.steps)).toBe(before);
  });
});
