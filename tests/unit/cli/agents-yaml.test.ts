import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { addAgentText, removeAgentText } from "../../../generator/edit/agents-yaml.js";

const FLEET = `# My fleet. Edited by hand.

agents:
  # The researcher digs things up.
  researcher:
    role: 'research'   # keep the quotes
    budget:
      daily_usd: 5.00

  # Careful: the writer is expensive.
  writer:
    role: "writing"
    system_prompt: >
      Folded text
      stays folded.
    # trailing comment inside writer

  # ---- spare agents below ----
`;

const NEW = {
  role: "triage",
  system_prompt: "line one\nline two\n",
  budget: { daily_usd: 1, monthly_usd: 20 },
};

describe("addAgentText", () => {
  it("appends the agent and leaves every other byte alone", () => {
    const out = addAgentText(FLEET, "support", NEW);
    const tail = FLEET.indexOf("\n  # ---- spare");
    const head = FLEET.slice(0, tail);
    expect(out.startsWith(head)).toBe(true);
    expect(out.endsWith(FLEET.slice(tail))).toBe(true);
    expect(parse(out).agents.support).toEqual(NEW);
    expect(out).toContain(
      "\n\n  support:\n    role: triage\n    system_prompt: |\n      line one\n      line two\n",
    );
  });

  it("keeps a comment above another agent and a blank line byte-identical after add then remove", () => {
    const added = addAgentText(FLEET, "support", NEW);
    expect(added).toContain("\n\n  # Careful: the writer is expensive.\n  writer:\n");
    expect(removeAgentText(added, "support")).toBe(FLEET);
  });

  it("follows the file's indentation", () => {
    const text = "agents:\n    a:\n        role: x\n";
    const out = addAgentText(text, "b", { role: "y" });
    expect(out).toBe("agents:\n    a:\n        role: x\n\n    b:\n        role: y\n");
  });

  it("keeps CRLF line endings", () => {
    const text = "agents:\r\n  a:\r\n    role: x\r\n";
    const out = addAgentText(text, "b", { role: "y" });
    expect(out).toBe("agents:\r\n  a:\r\n    role: x\r\n\r\n  b:\r\n    role: y\r\n");
    expect(removeAgentText(out, "b")).toBe(text);
  });

  it("handles an empty agents map in flow style", () => {
    const out = addAgentText("# header\nagents: {}\n", "a", { role: "x" });
    expect(out).toContain("# header");
    expect(parse(out)).toEqual({ agents: { a: { role: "x" } } });
  });

  it("handles a flow-style map without losing agents", () => {
    const out = addAgentText("agents: { a: { role: x } }\n", "b", { role: "y" });
    expect(parse(out)).toEqual({ agents: { a: { role: "x" }, b: { role: "y" } } });
  });
});

describe("removeAgentText", () => {
  it("removes the agent with its own comment, keeping the comment of the next one", () => {
    const out = removeAgentText(FLEET, "researcher");
    expect(out).toBe(`# My fleet. Edited by hand.

agents:
  # Careful: the writer is expensive.
  writer:
    role: "writing"
    system_prompt: >
      Folded text
      stays folded.
    # trailing comment inside writer

  # ---- spare agents below ----
`);
  });

  it("removes the last agent with its nested trailing comment, keeping the section comment", () => {
    const out = removeAgentText(FLEET, "writer");
    expect(out).toBe(`# My fleet. Edited by hand.

agents:
  # The researcher digs things up.
  researcher:
    role: 'research'   # keep the quotes
    budget:
      daily_usd: 5.00

  # ---- spare agents below ----
`);
  });

  it("removing the only agent leaves a valid empty map", () => {
    const out = removeAgentText("agents:\n  a:\n    role: x\n", "a");
    expect(parse(out)).toEqual({ agents: {} });
  });

  it("removes the last agent at the end of the file with its separating blank line", () => {
    const text = "agents:\n  a:\n    role: x\n\n  b:\n    role: y\n";
    expect(removeAgentText(text, "b")).toBe("agents:\n  a:\n    role: x\n");
  });

  it("keeps a top-level key after the agents map", () => {
    const text = "agents:\n  a:\n    role: x\n  b:\n    role: y\nx-notes: keep\n";
    expect(removeAgentText(text, "b")).toBe("agents:\n  a:\n    role: x\nx-notes: keep\n");
  });
});
