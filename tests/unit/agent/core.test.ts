import { describe, expect, it } from "vitest";
import { planCap, renderCapped } from "../../../services/agent/core/cap-result.js";
import {
  type ModelFailure,
  nextAttempt,
  parseRetryAfter,
  shouldFailover,
} from "../../../services/agent/core/failover.js";
import { DEFAULT_LIMITS, decideStep } from "../../../services/agent/core/limits.js";
import { LoopDetector } from "../../../services/agent/core/loop-detector.js";
import { canonicalJson } from "../../../services/common/canonical-json.js";
import { PROXY_AGENT_CODES } from "../../../services/common/contracts/proxy-error.js";

describe("limits", () => {
  it("task mode allows 20 model calls, then stops with iteration_limit", () => {
    expect(decideStep("task", { calls: 19, toolRounds: 19, toolLessCallMade: false })).toEqual({
      kind: "call",
      tools: true,
    });
    expect(decideStep("task", { calls: 20, toolRounds: 20, toolLessCallMade: false })).toEqual({
      kind: "stop",
      reason: "iteration_limit",
    });
  });
  it("chat mode allows 30 tool rounds, then exactly one tool-less call", () => {
    expect(decideStep("chat", { calls: 30, toolRounds: 29, toolLessCallMade: false })).toEqual({
      kind: "call",
      tools: true,
    });
    expect(decideStep("chat", { calls: 30, toolRounds: 30, toolLessCallMade: false })).toEqual({
      kind: "call",
      tools: false,
    });
    expect(decideStep("chat", { calls: 31, toolRounds: 30, toolLessCallMade: true })).toEqual({
      kind: "stop",
      reason: "tool_limit_reached",
    });
    expect(DEFAULT_LIMITS).toMatchObject({ taskIterations: 20, chatToolRounds: 30 });
  });
});

describe("loop detector", () => {
  it("warns on the 3rd identical call, blocks the 5th, ends the run at the 10th", () => {
    const d = new LoopDetector();
    const actions = Array.from({ length: 10 }, () => d.check("exec", { command: "ls", timeout_s: 5 }).action);
    expect(actions).toEqual([
      "run",
      "run",
      "warn",
      "warn",
      "block",
      "block",
      "block",
      "block",
      "block",
      "terminate",
    ]);
  });
  it("treats argument key order as identical and different arguments as different", () => {
    const d = new LoopDetector();
    d.check("read_file", { path: "a", offset: 0 });
    d.check("read_file", { offset: 0, path: "a" });
    expect(d.check("read_file", { path: "a", offset: 0 }).action).toBe("warn");
    expect(d.check("read_file", { path: "b", offset: 0 }).action).toBe("run");
    expect(d.check("list_files", { path: "a", offset: 0 }).action).toBe("run");
  });
  it("canonical JSON sorts nested keys and keeps array order", () => {
    expect(canonicalJson({ b: [2, { y: 1, x: 2 }], a: null })).toBe('{"a":null,"b":[2,{"x":2,"y":1}]}');
  });
});

describe("tool-result capping", () => {
  it("passes short results through untouched", () => {
    expect(planCap("hello", 100)).toMatchObject({ capped: false, head: "hello" });
  });
  it("keeps head and tail of long results and points at the spilled file", () => {
    const text = `START${"x".repeat(50_000)}END`;
    const plan = planCap(text, 2_000);
    expect(plan.capped).toBe(true);
    const out = renderCapped(plan, "/data/tmp/tool-results/c1.txt");
    expect(out.length).toBeLessThanOrEqual(2_000);
    expect(out.startsWith("START")).toBe(true);
    expect(out.endsWith("END")).toBe(true);
    expect(out).toContain("/data/tmp/tool-results/c1.txt");
    expect(out).toContain(`of ${text.length} characters omitted`);
  });
});

const fail = (f: Partial<ModelFailure>): ModelFailure => ({
  kind: "http",
  afterFirstToken: false,
  message: "x",
  ...f,
});

describe("failover policy", () => {
  it("fails over on 429, 408, 5xx, the proxy's 503 cooldown and broken streams before the first token", () => {
    for (const status of [408, 429, 500, 502, 503, 504]) expect(shouldFailover(fail({ status }))).toBe(true);
    expect(shouldFailover(fail({ kind: "network" }))).toBe(true);
    expect(shouldFailover(fail({ kind: "stream", status: 200 }))).toBe(true);
  });
  it("does not fail over on 400, 401, 402, 403, 404, after the first token, or on abort", () => {
    for (const status of [400, 401, 402, 403, 404, 422]) expect(shouldFailover(fail({ status }))).toBe(false);
    expect(shouldFailover(fail({ kind: "stream", afterFirstToken: true }))).toBe(false);
    expect(shouldFailover(fail({ status: 429, afterFirstToken: true }))).toBe(false);
    expect(shouldFailover(fail({ kind: "abort" }))).toBe(false);
  });
  it("follows the proxy's code over the status: cooldown fails over, overflow/budget/frozen never do", () => {
    expect(shouldFailover(fail({ status: 400, code: PROXY_AGENT_CODES.modelCooldown }))).toBe(true);
    for (const code of [
      PROXY_AGENT_CODES.contextOverflow,
      PROXY_AGENT_CODES.budgetExceeded,
      PROXY_AGENT_CODES.agentFrozen,
    ])
      expect(shouldFailover(fail({ status: 503, code }))).toBe(false);
  });
  it("walks the list once, then waits the shortest retry-after for one more pass", () => {
    const models = ["a/1", "b/2"];
    expect(nextAttempt(models, [])).toEqual({ action: "try", model: "a/1", waitS: 0 });
    expect(nextAttempt(models, [fail({ status: 429 })])).toEqual({ action: "try", model: "b/2", waitS: 0 });
    expect(
      nextAttempt(models, [fail({ status: 429, retryAfterS: 5 }), fail({ status: 503, retryAfterS: 2 })]),
    ).toEqual({
      action: "try",
      model: "a/1",
      waitS: 2,
    });
    const three = [fail({ status: 429 }), fail({ status: 503 }), fail({ status: 503 })];
    expect(nextAttempt(models, three)).toEqual({ action: "try", model: "b/2", waitS: 0 });
    expect(nextAttempt(models, [...three, fail({ status: 500 })])).toEqual({
      action: "give_up",
      reason: "exhausted",
    });
  });
  it("gives up at once on a non-retryable answer and when retry-after is long", () => {
    expect(nextAttempt(["a/1", "b/2"], [fail({ status: 400 })])).toEqual({
      action: "give_up",
      reason: "not_retryable",
    });
    expect(nextAttempt(["a/1"], [fail({ status: 503, retryAfterS: 3600 })])).toEqual({
      action: "give_up",
      reason: "exhausted",
    });
  });
  it("parses retry-after in seconds and as an HTTP date", () => {
    expect(parseRetryAfter("7")).toBe(7);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6);
    expect(parseRetryAfter("soon")).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});
