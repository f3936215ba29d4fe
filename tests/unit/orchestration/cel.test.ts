import { describe, expect, it } from "vitest";
import { evalExpr, MAX_EXPRESSION_CHARS } from "../../../services/mesh/modules/orchestration/cel.js";
import { renderTemplate } from "../../../services/mesh/modules/orchestration/template.js";
import { loadWorkflow } from "../../../services/mesh/modules/orchestration/workflow/definition.js";

describe("CEL adapter", () => {
  it("JSON integers are CEL int, other numbers double", () => {
    expect(evalExpr("inputs.min_score + 1", { inputs: { min_score: 5 } })).toEqual({ value: 6 });
    expect(evalExpr("research.result.ratio + 1.0", { research: { result: { ratio: 0.5 } } })).toEqual({
      value: 1.5,
    });
    const bad = evalExpr("research.result.ratio + 1", { research: { result: { ratio: 0.5 } } });
    expect("error" in bad && bad.error).toContain("overload");
  });

  it.each(["research.__proto__", "research['constructor']", "research.constructor", "research.toString"])(
    "%s is an error, never a JS function",
    (expr) => {
      const out = evalExpr(expr, { research: { result: {} } });
      expect(out).toHaveProperty("error");
    },
  );

  it("missing fields and unknown variables are errors, not false", () => {
    expect(evalExpr("research.result.missing >= 5", { research: { result: {} } })).toHaveProperty("error");
    expect(evalExpr("nothing == 1", {})).toHaveProperty("error");
  });

  it("maps and lists convert back to JSON", () => {
    expect(evalExpr("{'a': [1, 2.5, 'x', true, null]}", {})).toEqual({
      value: { a: [1, 2.5, "x", true, null] },
    });
    expect(evalExpr("trigger.payload", { trigger: { payload: { __proto__: 1, k: 2 } } })).toEqual({
      value: { k: 2 },
    });
  });

  it("expressions over the size limit are rejected before parsing", () => {
    const long = `${"1 + ".repeat(MAX_EXPRESSION_CHARS)}1`;
    const out = evalExpr(long, {});
    expect("error" in out && out.error).toContain("limit");
  });

  it("templates look up own properties only", () => {
    expect(renderTemplate("{{a.b}} {{a.__proto__}} {{ missing }}|", { a: { b: 3 } })).toBe("3  |");
  });
});

describe("workflow definition checks", () => {
  it("reports a duplicate id, an unknown dependency and a CEL parse error together", () => {
    const out = loadWorkflow({
      name: "bad",
      defaults: { agent: "w" },
      steps: [{ id: "a" }, { id: "a" }, { id: "b", depends_on: ["nope"] }],
    });
    expect("issues" in out && out.issues).toEqual([
      'steps.1.id: duplicate step id "a"',
      'steps.2.depends_on: unknown step "nope"',
    ]);
    const parse = loadWorkflow({ name: "p", steps: [{ id: "a", agent: "w", when: "score >=" }] });
    expect("issues" in parse && parse.issues[0]).toMatch(/^a\.when: CEL parse error/);
  });

  it("rejects cycles and references to steps that are not upstream", () => {
    const cycle = loadWorkflow({
      name: "c",
      defaults: { agent: "w" },
      steps: [
        { id: "a", depends_on: ["b"] },
        { id: "b", depends_on: ["a"] },
      ],
    });
    expect("issues" in cycle && cycle.issues).toEqual(["steps: dependency cycle"]);
    const upstream = loadWorkflow({
      name: "u",
      defaults: { agent: "w" },
      steps: [{ id: "a" }, { id: "b", when: "a.result.x == 1" }],
    });
    expect("issues" in upstream && upstream.issues[0]).toContain(
      'refers to "a", which is not upstream of "b"',
    );
  });

  it("needs an agent for dispatched actions and known handlers", () => {
    const out = loadWorkflow({ name: "x", steps: [{ id: "a", on_failure: "h" }] });
    expect("issues" in out && out.issues).toEqual([
      'a: action "prompt" needs an agent (or defaults.agent)',
      'a.on_failure: unknown handler "h"',
    ]);
  });
});
