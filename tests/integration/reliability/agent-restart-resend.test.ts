import { afterEach, describe, expect, it } from "vitest";
import type { MeshConfig } from "../../../services/common/contracts/mesh-config.js";
import { agentToken } from "../../../services/common/tokens.js";
import { operatorJson, type Stack, startStack, waitFor } from "../agent/mesh-stack.js";
import { MASTER } from "../mesh/helpers.js";

/**
 * Issue 23 item 3: an agent that dies mid-step (the mesh stays up) asks the mesh for its open work at
 * boot, and the mesh re-sends the running attempt at once under the same dispatch key, instead of
 * leaving the step `running` until its timeout (15 min here, the default).
 */
let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const WORKFLOWS = [
  {
    name: "single",
    inputs: { doc: { type: "string" } },
    steps: [{ id: "only", agent: "alice", task_type: "summarize", input_from: "inputs" }],
  },
] as MeshConfig["workflows"];

interface RunView {
  status: string;
  steps: { id: string; status: string; attempt: number; result: unknown }[];
  events: { type: string; step_id: string | null; data: Record<string, unknown> | null }[];
}

const view = async (s: Stack, id: string): Promise<RunView> =>
  (await (await fetch(`${s.meshUrl}/v1/workflow-runs/${id}`, { headers: operatorJson })).json()) as RunView;

describe("a step whose agent restarts mid-step", () => {
  it("is re-sent under the same key as soon as the agent is back, and the run completes", async () => {
    // Given a run whose only step is in flight on alice (the model call never ends)
    stack = await startStack({ alice: {} }, WORKFLOWS);
    stack.fake.script("openai", { fault: "never_end" }, { text: '{"summary":"done after restart"}' });
    const res = await fetch(`${stack.meshUrl}/v1/workflows/single/runs`, {
      method: "POST",
      headers: operatorJson,
      body: JSON.stringify({ inputs: { doc: "long text" } }),
    });
    const { id } = (await res.json()) as { id: string };
    await waitFor("the step's model call", async () =>
      stack!.fake.requests.length === 1 ? true : undefined,
    );
    const alice = stack.agents.alice!;
    const keyOf = () =>
      (
        alice.agent.store.db.prepare("SELECT dispatch_key FROM workflow_tasks").get() as {
          dispatch_key: string;
        }
      ).dispatch_key;
    const key = keyOf();

    // When alice goes down mid-step and comes back on the same data (the mesh never restarts)
    await alice.restart();

    // Then the mesh re-sends the step at once, alice runs it again and the run succeeds
    const done = await waitFor("the run to finish", async () => {
      const v = await view(stack!, id);
      return v.status === "running" ? undefined : v;
    });
    expect(done.status).toBe("succeeded");
    expect(done.steps[0]).toMatchObject({
      status: "succeeded",
      attempt: 1,
      result: { summary: "done after restart" },
    });
    expect(stack.fake.requests.length).toBe(2);
    // … under the same dispatch key, and the run's history says why
    expect(keyOf()).toBe(key);
    const resent = done.events.filter((e) => e.type === "step_redispatched");
    expect(resent).toEqual([
      expect.objectContaining({ step_id: "only", data: { attempt: 1, why: "agent_restarted" } }),
    ]);
  });

  it("an agent with no step in flight has nothing re-sent; only an agent may ask", async () => {
    stack = await startStack({ alice: {} }, WORKFLOWS);
    const ask = (token: string) =>
      fetch(`${stack!.meshUrl}/v1/workflows/resend`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}` },
      });
    const ok = await ask(agentToken(MASTER, "alice"));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ resent: 0 });
    expect((await ask(operatorJson.authorization.slice("Bearer ".length))).status).toBe(403);
  });
});
