import { afterEach, describe, expect, it } from "vitest";
import { RESERVED_AGENT_IDS } from "../../../services/common/agent-ids.js";
import { cleanupFleets, MINIMAL_AGENTS, makeFleet } from "../config/helpers.js";
import { runCli } from "./helpers.js";

afterEach(cleanupFleets);

// Issue 13: `validate` accepted an agent named `operator` and said the fleet was valid, then `render`
// refused it without file:line. One list now serves validate, render and the mesh.
describe("openlegion validate refuses every reserved agent id", () => {
  it.each(["operator", "mesh", "anonymous", "egress-proxy", "proxy", "all"])(
    "an agent named %s: file:line:col, exit 2",
    async (id) => {
      const dir = makeFleet({ "config/agents.yaml": `agents:\n  ${id}:\n    role: helper\n` });
      const { code, stdout, stderr } = await runCli(["validate", dir]);
      expect(code).toBe(2);
      expect(stdout).toBe("");
      expect(stderr).toContain(`config/agents.yaml:2:3 agents.${id}: agent id "${id}" is reserved`);
    },
  );

  it("covers every id the services reserve, and a plain id still validates", async () => {
    expect([...RESERVED_AGENT_IDS]).toEqual(
      expect.arrayContaining(["operator", "mesh", "anonymous", "egress-proxy"]),
    );
    const { code, stderr } = await runCli(["validate", makeFleet({ "config/agents.yaml": MINIMAL_AGENTS })]);
    expect(stderr).not.toContain("reserved");
    expect(code).toBe(0);
  });
});
