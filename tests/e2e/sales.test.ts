/**
 * The sales fleet end to end in real Docker (issue 8 step 3, issue 10 "Done when"): researcher →
 * qualifier → outreach. The researcher's model turn (scripted on the fake provider) writes the
 * prospect to the blackboard and publishes research_complete; the qualifier receives the event in its
 * inbox; `openlegion workflow run prospect_pipeline --wait` dispatches each step to its agent's inbox.
 * Skipped when no Docker daemon can be reached. Traffic goes only to containers this test creates.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RecordedRequest, textOf } from "./helpers/fake-llm.js";
import { dockerReady, nodeIn, shIn, waitFor } from "./helpers/fleet.js";
import { E2eFleet, meshCallScript } from "./helpers/fleet-setup.js";

const HAVE_DOCKER = await dockerReady();
const PROFILE = { company: "Acme Corp", summary: "Acme makes anvils for coyotes.", size: "50-200" };
/**
 * One answer that satisfies every step's result_schema (research: company+summary; qualify: company,
 * integer score, boolean qualified). The fake's queue is shared by all agents and the qualifier's event
 * turn races the researcher's final answer, so every answer after the first is this same JSON.
 */
const ANSWER = {
  ...PROFILE,
  score: 8,
  qualified: true,
  reasons: "Fits the ICP.",
  contact: "W. E. Coyote",
  subject: "Anvils",
  body: "Hi…",
};

interface StepTask {
  run_id: string;
  step_id: string;
  task_type: string;
  /** The user text of the agent's task-mode run (the step's input is in it). */
  text: string;
}

/** The workflow step an agent's model was asked to do (the runtime's task prompt), if this request is one. */
function taskIn(req: RecordedRequest, stepId: string): StepTask | undefined {
  const user = textOf(req, ["user"]);
  const head = /\[workflow task: run (\S+), step (\S+), attempt \d+\]/.exec(user);
  if (!head || head[2] !== stepId) return undefined;
  const type = /Task type: (\S+)/.exec(user);
  return { run_id: head[1] ?? "", step_id: stepId, task_type: type?.[1] ?? "", text: user };
}

describe.skipIf(!HAVE_DOCKER)("sales fleet: blackboard, pub/sub and the prospect workflow", () => {
  const fleet = new E2eFleet(`sk-e2e-sales-${Date.now().toString(36)}-key`);
  const tokens: Record<string, string> = {};
  const ask = async (agent: string, method: string, path: string, body?: unknown) => {
    const r = await nodeIn(
      await fleet.container(`agent-${agent}`),
      meshCallScript(method, path, tokens[agent]!, body),
    );
    const [status, ...rest] = r.stdout.split(" ");
    return { status: Number(status), body: rest.join(" ") };
  };
  /** The step's task, once the agent's model has been asked about it. */
  const taskFor = (stepId: string) =>
    waitFor(
      `${stepId} task in an agent's inbox`,
      async () => {
        for (const req of await fleet.fake.chats()) {
          const t = taskIn(req, stepId);
          if (t) return t;
        }
        return undefined;
      },
      120_000,
    );

  beforeAll(async () => {
    await fleet.init("sales");
    // --build: the images must hold the current agent runtime (it answers the workflow steps itself).
    const up = await fleet.cli(["up", fleet.dir, "-d", "--build", "--timeout", "240"]);
    expect(up.code, up.stdout + up.stderr).toBe(0);
    await fleet.locateFake();
    // The test (not the agents) may read each agent's own token from its secret file.
    for (const agent of ["researcher", "qualifier", "outreach"]) {
      const r = await shIn(await fleet.container(`agent-${agent}`), "cat /run/secrets/agent_token");
      tokens[agent] = r.stdout.trim();
      expect(tokens[agent]).not.toBe("");
    }
  }, 600_000);

  afterAll(() => fleet.destroy(), 180_000);

  it("runs prospect_pipeline: blackboard write, event to the qualifier, every step through an inbox", async () => {
    await fleet.fake.script({
      toolCalls: [
        { name: "write_shared_state", args: { key: "context/prospect_acme", value: PROFILE } },
        {
          name: "publish_event",
          args: { topic: "research_complete", payload: { key: "context/prospect_acme" } },
        },
      ],
      usage: { input: 40, output: 20 },
    });
    // The qualifier is subscribed to research_complete by the mesh at boot (its can_subscribe names it).
    for (let i = 0; i < 8; i++)
      await fleet.fake.script({ text: JSON.stringify(ANSWER), usage: { input: 20, output: 10 } });
    const run = fleet.cli([
      "workflow",
      "run",
      "prospect_pipeline",
      "--dir",
      fleet.dir,
      "--input",
      "company=Acme Corp",
      "--wait",
      "--json",
      "--timeout",
      "300",
    ]);

    // 1. The research step reaches the researcher's inbox; its turn writes the blackboard and publishes.
    const research = await taskFor("research");
    expect(research.task_type).toBe("research_prospect");
    expect(research.text).toContain("Acme Corp");
    const entry = await waitFor(
      "the profile on the blackboard",
      async () => {
        const r = await ask("qualifier", "GET", "/v1/blackboard/context/prospect_acme");
        return r.status === 200 ? r.body : undefined;
      },
      120_000,
    );
    expect(entry).toContain("Acme makes anvils");
    // Written by the researcher's own tool call (its token), not by the test.
    expect(JSON.parse(entry).updated_by).toBe("researcher");
    // 2. The qualifier receives research_complete in its inbox, and its model is asked about it.
    const event = await waitFor(
      "research_complete in the qualifier's turn",
      async () => {
        const hit = (await fleet.fake.chats()).find((r) =>
          textOf(r, ["user"]).includes("[event on topic research_complete from researcher]"),
        );
        return hit;
      },
      120_000,
    );
    expect(textOf(event, ["system"])).toContain("lead qualifier");

    // 3. The agents answer their steps themselves (the runtime posts each result with the dispatch key).
    const qualify = await taskFor("qualify");
    expect(qualify.task_type).toBe("qualify_lead");
    expect(qualify.text).toContain("Acme makes anvils");
    const outreach = await taskFor("outreach");
    expect(outreach.task_type).toBe("draft_outreach");

    const done = await run;
    expect(done.code, done.stdout + done.stderr).toBe(0);
    const detail = JSON.parse(done.stdout) as {
      status: string;
      steps: { id: string; status: string; result?: unknown }[];
    };
    expect(detail.status).toBe("succeeded");
    expect(detail.steps.map((s) => [s.id, s.status])).toEqual([
      ["research", "succeeded"],
      ["qualify", "succeeded"],
      ["outreach", "succeeded"],
    ]);
    // The results are the agents' own final answers, parsed as JSON (no test stand-in posted them).
    const researched = detail.steps.find((st) => st.id === "research");
    if (researched && "result" in researched) expect(researched.result).toEqual(ANSWER);
  }, 600_000);
});
