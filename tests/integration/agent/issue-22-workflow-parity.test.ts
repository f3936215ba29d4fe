import { afterEach, describe, expect, it } from "vitest";
import type { MeshConfig } from "../../../services/common/contracts/mesh-config.js";
import { messagesOf } from "./harness.js";
import { operatorJson, type Stack, startStack, waitFor } from "./mesh-stack.js";

/**
 * Issue 22 items 1-2 through the real mesh and real agents on the fake provider: the seed's task
 * result with promotions (and the ACL check on them), `input_from: blackboard://…`, `fallback_agent`
 * and `on_complete`.
 */
let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

interface StepView {
  id: string;
  status: string;
  result: unknown;
  error: { kind: string; message: string } | null;
  promoted: { key: string; version: number }[];
}
interface RunView {
  id: string;
  status: string;
  steps: StepView[];
  events: { type: string; step_id: string | null; data: Record<string, unknown> | null }[];
}

async function runWorkflow(s: Stack, name: string, inputs: Record<string, unknown> = {}): Promise<RunView> {
  const res = await fetch(`${s.meshUrl}/v1/workflows/${name}/runs`, {
    method: "POST",
    headers: operatorJson,
    body: JSON.stringify({ inputs }),
  });
  const body = (await res.json()) as { id: string };
  expect(res.status, JSON.stringify(body)).toBe(201);
  return waitFor(`run ${body.id} to finish`, async () => {
    const view = (await (
      await fetch(`${s.meshUrl}/v1/workflow-runs/${body.id}`, { headers: operatorJson })
    ).json()) as RunView;
    return view.status === "running" ? undefined : view;
  });
}

const board = async (s: Stack, key: string) => {
  const res = await fetch(`${s.meshUrl}/v1/blackboard/${key}`, { headers: operatorJson });
  return { status: res.status, body: (await res.json()) as { value?: unknown; updated_by?: string } };
};

const putBoard = async (s: Stack, key: string, value: unknown) => {
  const res = await fetch(`${s.meshUrl}/v1/blackboard/${key}`, {
    method: "PUT",
    headers: operatorJson,
    body: JSON.stringify({ value }),
  });
  expect(res.status).toBeLessThan(300);
};

const userText = (s: Stack, i: number) => JSON.stringify(messagesOf(s.fake.requests[i]));

const ONE_STEP = (name: string, extra: Record<string, unknown> = {}) =>
  ({
    name,
    inputs: { lead_id: { type: "integer" } },
    steps: [{ id: "research", agent: "alice", task_type: "research_prospect", ...extra }],
  }) as MeshConfig["workflows"][number];

describe("issue 22: the seed's workflow behaviours", () => {
  it("a step result with promote writes each key to the blackboard as the step's agent, shown on the run", async () => {
    stack = await startStack({ alice: { blackboard_write: ["context/prospect_*"] } }, [ONE_STEP("promo")]);
    stack.fake.script("openai", {
      text: '{"result": {"score": 8}, "promote": {"context/prospect_acme": {"score": 8}, "context/prospect_flag": true}}',
    });
    const run = await runWorkflow(stack, "promo");
    expect(run.status).toBe("succeeded");
    const step = run.steps[0] as StepView;
    // The step's result is the inner `result`; the promotions are listed with the version written.
    expect(step.result).toEqual({ score: 8 });
    expect(step.promoted).toEqual([
      { key: "context/prospect_acme", version: 1 },
      { key: "context/prospect_flag", version: 1 },
    ]);
    const acme = await board(stack, "context/prospect_acme");
    expect(acme.body.value).toEqual({ score: 8 });
    expect(acme.body.updated_by).toBe("alice");
    // A value that is not an object is wrapped as {"value": v}.
    expect((await board(stack, "context/prospect_flag")).body.value).toEqual({ value: true });
  });

  it("a promotion to a key the agent may not write is refused: nothing is written and the step says why", async () => {
    stack = await startStack({ alice: { blackboard_write: ["context/prospect_*"] } }, [ONE_STEP("promo")]);
    stack.fake.script("openai", {
      text: '{"result": {"ok": true}, "promote": {"context/prospect_ok": {"a": 1}, "tasks/admin": {"b": 2}}}',
    });
    const run = await runWorkflow(stack, "promo");
    expect(run.status).toBe("failed");
    const step = run.steps[0] as StepView;
    expect(step.status).toBe("failed");
    expect(step.error?.kind).toBe("validation");
    expect(step.error?.message).toContain("promotion refused");
    expect(step.error?.message).toContain("tasks/admin");
    expect(step.error?.message).toContain("blackboard_write");
    expect(step.promoted).toEqual([]);
    // All or nothing: the allowed key was not written either.
    expect((await board(stack, "context/prospect_ok")).status).toBe(404);
    expect((await board(stack, "tasks/admin")).status).toBe(404);
  });

  it("input_from blackboard:// fills {placeholders} and reads the entry; a missing entry gives {}", async () => {
    const wf = ONE_STEP("bbin", { input_from: "blackboard://context/prospect_{lead_id}" });
    stack = await startStack({ alice: { blackboard_read: ["context/*"] } }, [wf]);
    await putBoard(stack, "context/prospect_42", { company: "Acme Corp" });
    stack.fake.script("openai", { text: '{"done": 1}' }, { text: '{"done": 2}' });
    expect((await runWorkflow(stack, "bbin", { lead_id: 42 })).status).toBe("succeeded");
    expect(userText(stack, 0)).toContain("Acme Corp");
    expect((await runWorkflow(stack, "bbin", { lead_id: 7 })).status).toBe("succeeded");
    expect(userText(stack, 1)).toMatch(/Input:\\n\{\}/);
  });

  it("input_from blackboard:// is read with the step agent's own blackboard_read rules", async () => {
    const wf = ONE_STEP("bbin", { input_from: "blackboard://tasks/prospect_{lead_id}" });
    stack = await startStack({ alice: { blackboard_read: ["context/*"] } }, [wf]);
    await putBoard(stack, "tasks/prospect_1", { secret: "x" });
    const run = await runWorkflow(stack, "bbin", { lead_id: 1 });
    expect(run.status).toBe("failed");
    expect(run.steps[0]?.error?.message).toContain("may not read");
    expect(stack.fake.requests.length).toBe(0);
  });

  it("a failed step re-runs on its fallback_agent, whose result replaces it, and on_complete tells subscribers", async () => {
    const wf = {
      name: "fb",
      on_complete: "pipeline_done",
      steps: [
        {
          id: "research",
          agent: "alice",
          task_type: "research_prospect",
          on_failure: "fallback",
          fallback_agent: "bob",
        },
      ],
    } as MeshConfig["workflows"][number];
    stack = await startStack({ alice: {}, bob: {}, carol: { can_subscribe: ["pipeline_done"] } }, [wf]);
    stack.fake.script(
      "openai",
      { error: { status: 400 } },
      { text: '{"by": "bob"}' },
      { text: "noted the finished pipeline" },
    );
    const run = await runWorkflow(stack, "fb");
    expect(run.status).toBe("succeeded");
    expect(run.steps[0]?.result).toEqual({ by: "bob" });
    const fellBack = run.events.find((e) => e.type === "step_fallback");
    expect(fellBack?.data?.agent).toBe("bob");
    // carol subscribes to on_complete's topic: her agent gets the run's results as a message.
    await waitFor("carol's turn on the on_complete message", async () =>
      stack!.fake.requests.length >= 3 ? true : undefined,
    );
    const text = userText(stack, 2);
    expect(text).toContain("pipeline_done");
    expect(text).toContain(run.id);
    expect(text).toContain("bob");
  });
});
