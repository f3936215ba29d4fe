import { describe, expect, it } from "vitest";
import {
  isAppendOnly,
  keyProblem,
  prefixesOf,
  prefixProblem,
  topicProblem,
} from "../../../../services/mesh/core/keys.js";

describe("blackboard keys", () => {
  it.each([
    "tasks/a",
    "context/prospect_acme",
    "signals/research_complete",
    "history/action_xyz",
    "context/a/b-c.d:e@f",
  ])("accepts %s", (key) => expect(keyProblem(key)).toBeUndefined());
  it.each([
    ["", "empty key"],
    ["other/x", "must start with one of"],
    ["tasks", "needs a name"],
    ["tasks/", "empty path segment"],
    ["tasks//x", "empty path segment"],
    ["tasks/../context/x", '".." segments'],
    ["tasks/./x", '"." segments'],
    ["tasks/a\u0000b", "only letters"],
    ["tasks/a b", "only letters"],
    ["tasks/%2e%2e", "only letters"],
    [`tasks/${"x".repeat(260)}`, "longer than 256"],
  ])("rejects %j (%s)", (key, why) => expect(keyProblem(key)).toContain(why));

  it("marks history/ as append-only", () => {
    expect(isAppendOnly("history/x")).toBe(true);
    expect(isAppendOnly("historyx/x")).toBe(false);
  });

  it("validates prefixes and topics", () => {
    expect(prefixProblem("")).toBeUndefined();
    expect(prefixProblem("context/pro")).toBeUndefined();
    expect(prefixProblem("context/../x")).toContain("..");
    expect(topicProblem("new_lead")).toBeUndefined();
    expect(topicProblem("new lead")).toBeDefined();
    expect(topicProblem("leads/*")).toBeDefined();
  });

  it("lists every prefix of a key", () => {
    expect(prefixesOf("ab")).toEqual(["", "a", "ab"]);
  });
});
