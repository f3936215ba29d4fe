import { describe, expect, it } from "vitest";
import type { MeshPermissions } from "../../../../services/common/contracts/mesh-config.js";
import {
  allows,
  compilePermissions,
  denialFor,
  type PermissionKind,
} from "../../../../services/mesh/core/permissions.js";

const researcher: MeshPermissions = {
  can_message: ["orchestrator"],
  can_publish: ["research_complete"],
  can_subscribe: ["new_lead", "leads/*"],
  blackboard_read: ["tasks/*", "context/*"],
  blackboard_write: ["context/prospect_*", "history/**"],
  allowed_apis: ["llm", "brave_search"],
};
const compiled = compilePermissions(researcher);

describe("permission matrix (seed example)", () => {
  const cases: [PermissionKind, string, boolean][] = [
    ["can_message", "orchestrator", true],
    ["can_message", "qualify", false],
    ["can_publish", "research_complete", true],
    ["can_publish", "new_lead", false],
    ["can_subscribe", "new_lead", true],
    ["can_subscribe", "leads/acme", true],
    ["can_subscribe", "leads/acme/x", false],
    ["can_subscribe", "research_complete", false],
    ["blackboard_read", "tasks/research_abc123", true],
    ["blackboard_read", "context/prospect_acme", true],
    ["blackboard_read", "signals/done", false],
    ["blackboard_read", "tasks/a/b", false],
    ["blackboard_write", "context/prospect_acme", true],
    ["blackboard_write", "context/prospect_a/secret", false],
    ["blackboard_write", "context/other", false],
    ["blackboard_write", "history/a/b/c", true],
  ];
  it.each(cases)("%s %s → %s", (kind, subject, allowed) => {
    expect(allows(compiled, kind, subject)).toBe(allowed);
  });

  it("names the rule that denied", () => {
    expect(denialFor(compiled, "blackboard_write", "context/x")).toBe(
      'blackboard_write has no pattern matching "context/x"',
    );
  });

  it("denies everything by default when a list is empty", () => {
    const none = compilePermissions({ ...researcher, can_publish: [] });
    expect(denialFor(none, "can_publish", "anything")).toBe(
      'can_publish is empty (default deny), so "anything" is not allowed',
    );
  });

  it("lets * stay inside a segment and ** cross segments", () => {
    const p = compilePermissions({
      ...researcher,
      blackboard_read: ["context/prospect_*"],
      blackboard_write: ["context/**"],
    });
    expect(allows(p, "blackboard_read", "context/prospect_a/secret")).toBe(false);
    expect(allows(p, "blackboard_write", "context/prospect_a/secret")).toBe(true);
  });

  it("treats a wildcard agent grant as every agent", () => {
    const p = compilePermissions({ ...researcher, can_message: ["*"] });
    expect(allows(p, "can_message", "anyone")).toBe(true);
  });
});
