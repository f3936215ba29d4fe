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
const VERDICT = { company: "Acme Corp", score: 8, qualified: true, reasons: "Fits the ICP." };
const DRAFT = { company: "Acme Corp", contact: "W. E. Coyote", subject: "Anvils", body: "Hi…" };

interface WorkflowTask {
  type: "workflow_task";
  dispatch_key: string;
  run_id: string;
  step_id: string;
  task_type: string;
  input: unknown;
}

/** The workflow_task an agent was given, as its model saw it (the user text of a recorded request). */
function taskIn(req: RecordedRequest, stepId: string): WorkflowTask | undefined {
  const user = textOf(req, ["user"]);
  for (const m of user.matchAll(/\{"type":"workflow_task".*?"reply_to":"[^"]*"\}/g)) {
    const task = JSON.parse(m[0]) as WorkflowTask;
    if (task.step_id === stepId) return task;
  }
  return undefined;
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
    const up = await fleet.cli(["up", fleet.dir, "-d", "--timeout", "240"]);
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
    // The qualifier listens for research_complete (its permissions allow it; no agent tool subscribes).
    const sub = await ask("qualifier", "POST", "/v1/subscriptions", { topic: "research_complete" });
    expect([200, 201], sub.body).toContain(sub.status);
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
    expect(JSON.stringify(research.input)).toContain("Acme Corp");
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

    // 3. Each step's result goes to POST /v1/workflows/results with the dispatch key, from the agent's
    //    own container with its own token (what the agent runtime would send; see the report).
    const report = async (agent: string, task: WorkflowTask, result: unknown) => {
      const r = await ask(agent, "POST", "/v1/workflows/results", {
        dispatch_key: task.dispatch_key,
        ok: true,
        result,
      });
      expect(r.status, r.body).toBe(200);
    };
    await report("researcher", research, PROFILE);
    const qualify = await taskFor("qualify");
    expect(qualify.task_type).toBe("qualify_lead");
    expect(JSON.stringify(qualify.input)).toContain("Acme makes anvils");
    await report("qualifier", qualify, VERDICT);
    const outreach = await taskFor("outreach");
    expect(outreach.task_type).toBe("draft_outreach");
    await report("outreach", outreach, DRAFT);

    const done = await run;
    expect(done.code, done.stdout + done.stderr).toBe(0);
    const detail = JSON.parse(done.stdout) as { status: string; steps: { id: string; status: string }[] };
    expect(detail.status).toBe("succeeded");
    expect(detail.steps.map((s) => [s.id, s.status])).toEqual([
      ["research", "succeeded"],
      ["qualify", "succeeded"],
      ["outreach", "succeeded"],
    ]);
  }, 600_000);
});
