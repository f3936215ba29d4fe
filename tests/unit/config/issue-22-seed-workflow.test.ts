import { afterEach, describe, expect, test } from "vitest";
import { loadFleet } from "../../../generator/config/load.js";
import { at, cleanupFleets, loadError, makeFleet, supportedSeedFleet } from "./helpers.js";

afterEach(cleanupFleets);

/** The seed orchestrator's full step format (research/upstream.md §2.8), as its users wrote it. */
const SEED_WORKFLOW = `name: lead_followup
trigger: new_lead
timeout: 600
on_complete: pipeline_done
steps:
  - id: research
    agent: research
    task_type: research_prospect
    input_from: blackboard://context/prospect_{lead_id}
    timeout: 120
    on_failure: fallback
    fallback_agent: researcher
  - id: qualify
    agent: qualify
    task_type: qualify_lead
    depends_on: [research]
    on_failure: retry
    max_retries: 2
  - id: notify
    agent: orchestrator
    task_type: notify
    depends_on: [qualify]
    on_failure: skip
`;

describe("issue 22: the seed's workflow format validates", () => {
  test("on_complete, blackboard:// inputs, fallback_agent, retry with max_retries and skip load", async () => {
    const root = makeFleet({ "config/workflows/lead_followup.yaml": SEED_WORKFLOW }, supportedSeedFleet());
    const fleet = await loadFleet(root);
    const wf = fleet.workflows.find((w) => w.name === "lead_followup");
    expect(wf?.on_complete).toBe("pipeline_done");
    expect(wf?.steps[0]).toMatchObject({ fallback_agent: "researcher", on_failure: "fallback" });
  });

  test("fallback without fallback_agent, an unknown fallback agent and a stray max_retries name file:line", async () => {
    const bad = SEED_WORKFLOW.replace("    fallback_agent: researcher\n", "")
      .replace("on_failure: skip", "on_failure: skip\n    max_retries: 1")
      .replace("agent: qualify\n", "agent: qualify\n    fallback_agent: nobody\n    on_failure: fallback\n")
      .replace("    on_failure: retry\n    max_retries: 2\n", "");
    const root = makeFleet({ "config/workflows/lead_followup.yaml": bad }, supportedSeedFleet());
    const error = await loadError(root);
    const lines = error.issues.map((i) => `${at(i)}: ${i.message}`);
    expect(
      lines.some((l) => /lead_followup\.yaml:\d+:\d+ .*on_failure: "fallback" needs fallback_agent/.test(l)),
    ).toBe(true);
    expect(
      lines.some((l) =>
        /lead_followup\.yaml:\d+:\d+ .*max_retries: only used with on_failure: retry/.test(l),
      ),
    ).toBe(true);
    expect(lines.some((l) => /fallback_agent.*nobody/.test(l))).toBe(true);
  });
});
