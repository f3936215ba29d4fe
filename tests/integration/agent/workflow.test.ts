import { afterEach, describe, expect, it } from "vitest";
import type { MeshConfig } from "../../../services/common/contracts/mesh-config.js";
import { messagesOf, post } from "./harness.js";
import { operatorJson, type Stack, startStack, waitFor } from "./mesh-stack.js";

/**
 * Workflow steps answered by real agents: the mesh dispatches each step to the agent's inbox, the
 * agent runs it in task mode on the fake provider and posts the result to /v1/workflows/results.
 */
let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const WORKFLOWS = [
  {
    name: "pipe",
    inputs: { company: { type: "string" } },
    steps: [
      { id: "research", agent: "alice", task_type: "research_prospect", input_from: "inputs" },
      {
        id: "qualify",
        agent: "bob",
        task_type: "qualify_lead",
        depends_on: ["research"],
        input_from: "research.result",
      },
    ],
  },
  {
    name: "single",
    inputs: { doc: { type: "string" } },
    steps: [{ id: "only", agent: "alice", task_type: "summarize", input_from: "inputs" }],
  },
] as MeshConfig["workflows"];

interface RunView {
  status: string;
  steps: { id: string; status: string; result: unknown; error: { kind: string; message: string } | null }[];
}

async function runWorkflow(s: Stack, name: string, inputs: Record<string, unknown>): Promise<RunView> {
  const res = await fetch(`${s.meshUrl}/v1/workflows/${name}/runs`, {
    method: "POST",
    headers: operatorJson,
    body: JSON.stringify({ inputs }),
  });
  const body = (await res.json()) as { id: string };
  expect(res.status, JSON.stringify(body)).toBe(201);
  const id = body.id;
  return waitFor(`run ${id} to finish`, async () => {
    const view = (await (
      await fetch(`${s.meshUrl}/v1/workflow-runs/${id}`, { headers: operatorJson })
    ).json()) as RunView;
    return ["succeeded", "failed", "cancelled", "timed_out"].includes(view.status) ? view : undefined;
  });
}

const userText = (s: Stack, i: number) => JSON.stringify(messagesOf(s.fake.requests[i]));

describe("workflow steps run by real agents", () => {
  it("a two-step run completes with each agent's own answer as the step result", async () => {
    stack = await startStack({ alice: {}, bob: {} }, WORKFLOWS);
    stack.fake.script(
      "openai",
      { text: '```json\n{"company":"Acme","score":8}\n```' },
      { text: "Qualified: a good fit." },
    );
    const run = await runWorkflow(stack, "pipe", { company: "Acme" });
    expect(run.status).toBe("succeeded");
    expect(run.steps.map((st) => [st.id, st.status, st.result])).toEqual([
      ["research", "succeeded", { company: "Acme", score: 8 }],
      ["qualify", "succeeded", { text: "Qualified: a good fit." }],
    ]);
    // Each agent's model saw its step as a task: the task type and the input (step 2: step 1's result).
    expect(userText(stack, 0)).toContain("Task type: research_prospect");
    expect(userText(stack, 0)).toContain("Acme");
    expect(userText(stack, 1)).toContain("Task type: qualify_lead");
    expect(userText(stack, 1)).toContain('\\"score\\": 8');
  });

  it("a failing step reports ok:false and the run fails with the agent's error", async () => {
    stack = await startStack({ alice: {} }, WORKFLOWS);
    stack.fake.script("openai", { error: { status: 400 } });
    const run = await runWorkflow(stack, "single", { doc: "x" });
    expect(run.status).toBe("failed");
    const step = run.steps[0];
    expect(step?.status).toBe("failed");
    expect(step?.error?.kind).toBe("error");
    expect(step?.error?.message).toContain("run failed");
  });

  it("a redelivered dispatch key is answered from the stored result, not run again", async () => {
    stack = await startStack({ alice: {} }, WORKFLOWS);
    stack.fake.script("openai", { text: '{"summary":"short"}' });
    const run = await runWorkflow(stack, "single", { doc: "long text" });
    expect(run.status).toBe("succeeded");
    const alice = stack.agents.alice!;
    const row = alice.agent.store.db
      .prepare("SELECT dispatch_key, run_id, step_id, attempt FROM workflow_tasks")
      .get() as { dispatch_key: string; run_id: string; step_id: string; attempt: number };
    expect(row.step_id).toBe("only");
    const calls = stack.fake.requests.length;
    // A mesh restart redelivers the task under a new message id; a chat message follows it.
    stack.fake.script("openai", { text: "chat answer" });
    const now = Date.now();
    const msg = (id: number, payload: unknown) => ({
      id,
      kind: "message",
      from: "mesh",
      topic: "workflow",
      lane: "followup",
      payload,
      created_at: now,
      attempts: 1,
    });
    const task = {
      type: "workflow_task",
      ...row,
      action: null,
      task_type: "summarize",
      input: { doc: "long text" },
      timeout_ms: 60_000,
      redelivery: true,
      reply_to: "/v1/workflows/results",
    };
    const res = await post(alice, "/inbox", {
      agent: "alice",
      messages: [msg(900_001, task), msg(900_002, "hello after the redelivery")],
    });
    expect(res.status).toBe(200);
    await waitFor("the chat turn", async () => (stack!.fake.requests.length > calls ? true : undefined));
    await alice.agent.runtime.queue.idle();
    // Only the chat turn reached the model: the step did not run a second time.
    expect(stack.fake.requests.length).toBe(calls + 1);
    expect(userText(stack, calls)).toContain("hello after the redelivery");
    expect(userText(stack, calls)).not.toContain("summarize");
  });
});
