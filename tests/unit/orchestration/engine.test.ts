import { describe, expect, it } from "vitest";
import { Sim, wf } from "./helpers.js";

const diamond = wf({
  name: "diamond",
  max_parallel: 4,
  defaults: { agent: "worker" },
  steps: [
    { id: "a" },
    { id: "b", depends_on: ["a"] },
    { id: "c", depends_on: ["a"] },
    { id: "d", depends_on: ["b", "c"] },
  ],
});

describe("workflow engine: ordering", () => {
  it("diamond: B and C after A, concurrently; D after both; run succeeds", () => {
    const sim = new Sim(diamond);
    expect(sim.dispatched(sim.start())).toEqual(["a"]);
    expect(sim.dispatched(sim.ok("a"))).toEqual(["b", "c"]);
    expect(sim.dispatched(sim.ok("b"))).toEqual([]);
    expect(sim.dispatched(sim.ok("c"))).toEqual(["d"]);
    const last = sim.ok("d");
    expect(last).toContainEqual({ type: "finished", run_id: "run1", status: "succeeded" });
    expect(sim.snap.run.status).toBe("succeeded");
  });

  it("max_parallel bounds concurrent dispatches", () => {
    const sim = new Sim(
      wf({
        name: "fan",
        max_parallel: 2,
        defaults: { agent: "worker" },
        steps: [{ id: "a" }, { id: "b" }, { id: "c" }],
      }),
    );
    expect(sim.dispatched(sim.start())).toEqual(["a", "b"]);
    expect(sim.dispatched(sim.ok("a"))).toEqual(["c"]);
  });

  it("idempotency key is sha256(run‖step‖attempt): stable per attempt, new per retry", () => {
    const sim = new Sim(
      wf({
        name: "k",
        steps: [
          { id: "a", agent: "w", retry: { max_attempts: 2, backoff: { initial: "1s", jitter: "none" } } },
        ],
      }),
    );
    sim.start();
    sim.fail("a");
    sim.tickTo();
    const [first, second] = sim.dispatches();
    expect(first?.key).toMatch(/^[0-9a-f]{64}$/);
    expect(second?.key).not.toBe(first?.key);
    expect(second?.attempt).toBe(2);
  });
});

describe("workflow engine: conditions and trigger rules", () => {
  const pipeline = wf({
    name: "pipeline",
    defaults: { agent: "w" },
    inputs: { min_score: { type: "integer", default: 5 } },
    steps: [
      { id: "research" },
      { id: "draft", depends_on: ["research"], when: "research.result.score >= inputs.min_score" },
      { id: "publish", depends_on: ["draft"] },
      { id: "report", depends_on: ["draft"], trigger_rule: "none_failed" },
    ],
  });

  it("when false → skipped(when_false); all_success downstream omitted(upstream_skipped); none_failed runs", () => {
    const sim = new Sim(pipeline, { min_score: 5 });
    sim.start();
    const fx = sim.ok("research", { score: 3 });
    expect(sim.step("draft")).toMatchObject({ status: "skipped", reason: "when_false" });
    expect(sim.step("publish")).toMatchObject({ status: "omitted", reason: "upstream_skipped" });
    expect(sim.dispatched(fx)).toEqual(["report"]);
    sim.ok("report");
    expect(sim.snap.run.status).toBe("succeeded");
  });

  it("when true on the result → draft runs", () => {
    const sim = new Sim(pipeline, { min_score: 5 });
    sim.start();
    expect(sim.dispatched(sim.ok("research", { score: 7 }))).toEqual(["draft"]);
  });

  it("condition error is loud: errored(condition_error) naming the field, never silently skipped", () => {
    const sim = new Sim(pipeline, { min_score: 5 });
    sim.start();
    sim.ok("research", {});
    const draft = sim.step("draft");
    expect(draft.status).toBe("errored");
    expect(draft.error?.kind).toBe("condition_error");
    expect(draft.error?.message).toContain("score");
    expect(sim.snap.run.status).toBe("failed");
  });

  it("has() makes a missing field a plain false", () => {
    const def = wf({
      name: "has",
      defaults: { agent: "w" },
      steps: [
        { id: "research" },
        {
          id: "draft",
          depends_on: ["research"],
          when: "has(research.result.score) && research.result.score >= 5",
        },
      ],
    });
    const sim = new Sim(def);
    sim.start();
    sim.ok("research", {});
    expect(sim.status("draft")).toBe("skipped");
    expect(sim.snap.run.status).toBe("succeeded");
  });

  it("seed format: condition + input_from trigger.payload + timeout seconds", () => {
    const def = wf({
      name: "prospect_pipeline",
      trigger: "new_prospect",
      timeout: 600,
      steps: [
        { id: "research", agent: "research", task_type: "research_prospect", input_from: "trigger.payload" },
        {
          id: "qualify",
          agent: "qualify",
          task_type: "qualify_lead",
          depends_on: ["research"],
          condition: "research.result.score >= 5",
        },
      ],
    });
    expect(def.deadline_ms).toBe(600_000);
    const sim = new Sim(def, {}, { company: "Acme", size: 40 });
    const [d] = sim.start().filter((e) => e.type === "dispatch");
    expect(d).toMatchObject({
      agent: "research",
      task_type: "research_prospect",
      input: { company: "Acme", size: 40 },
    });
    expect(sim.dispatched(sim.ok("research", { score: 9 }))).toEqual(["qualify"]);
  });

  it("input_from map evaluates CEL once and templates render {{…}} from it", () => {
    const def = wf({
      name: "tpl",
      defaults: { agent: "w" },
      inputs: { topic: { type: "string" } },
      steps: [
        { id: "research" },
        {
          id: "draft",
          depends_on: ["research"],
          input_from: { notes: "research.result.summary", topic: "inputs.topic" },
          input: { prompt: "Write about {{topic}} using: {{notes}}" },
        },
      ],
    });
    const sim = new Sim(def, { topic: "bees" });
    sim.start();
    const [d] = sim.ok("research", { summary: "they fly" }).filter((e) => e.type === "dispatch");
    expect(d).toMatchObject({
      input: { prompt: "Write about bees using: they fly", notes: "they fly", topic: "bees" },
    });
  });

  it.each([
    ["one_success", ["ok", "fail"], "running"],
    ["one_failed", ["ok", "fail"], "running"],
    ["all_failed", ["fail", "fail"], "running"],
    ["all_failed", ["ok", "fail"], "omitted"],
    ["all_done", ["ok", "fail"], "running"],
    ["none_failed_min_one_success", ["ok", "ok"], "running"],
    ["none_failed", ["ok", "fail"], "omitted"],
  ])("trigger rule %s with deps %j → %s", (rule, outcomes, expected) => {
    const def = wf({
      name: "rules",
      fail_fast: false,
      defaults: { agent: "w" },
      steps: [{ id: "x" }, { id: "y" }, { id: "z", depends_on: ["x", "y"], trigger_rule: rule }],
    });
    const sim = new Sim(def);
    sim.start();
    outcomes.forEach((o, i) => {
      const id = i === 0 ? "x" : "y";
      if (o === "ok") sim.ok(id);
      else sim.fail(id);
    });
    expect(sim.status("z")).toBe(expected);
  });

  it("one_success fires early without waiting for the other dependency", () => {
    const def = wf({
      name: "early",
      defaults: { agent: "w" },
      steps: [{ id: "x" }, { id: "y" }, { id: "z", depends_on: ["x", "y"], trigger_rule: "one_success" }],
    });
    const sim = new Sim(def);
    sim.start();
    expect(sim.dispatched(sim.ok("x"))).toEqual(["z"]);
    expect(sim.status("y")).toBe("running");
  });
});
