import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { agentToken, meshToken } from "../../../services/common/tokens.js";
import {
  MASTER,
  type Harness as MeshHarness,
  meshConfig,
  OPERATOR,
  perms,
  startMesh,
} from "../mesh/helpers.js";
import { type Harness, runTask, startHarness, toolMessages } from "./harness.js";

/**
 * The agent with the real mesh on loopback: the mesh calls the agent with the mesh token (operator chat,
 * streamed), and the agent's mesh tools write to the real blackboard with the agent token.
 */
let mesh: MeshHarness | undefined;
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  await mesh?.close();
  h = undefined;
  mesh = undefined;
});

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });

async function stack(): Promise<{ meshUrl: string; h: Harness }> {
  const port = await freePort();
  const config = meshConfig({
    alice: {
      permissions: perms({ blackboard_read: ["**"], blackboard_write: ["context/**"], can_publish: ["**"] }),
      url: `http://127.0.0.1:${port}`,
    },
  });
  mesh = await startMesh(config, { subnetOverrides: { alice: "127.0.0.0/8" } });
  const meshUrl = await mesh.app.listen({ host: "127.0.0.1", port: 0 });
  h = await startHarness(
    { id: "alice", mesh_url: meshUrl },
    { agentToken: agentToken(MASTER, "alice"), meshToken: meshToken(MASTER, "alice"), port },
  );
  return { meshUrl, h };
}

describe("agent with the real mesh", () => {
  it("streams an operator chat through the mesh's operator API", async () => {
    const { meshUrl, h } = await stack();
    h.fake.script("openai", { text: "streamed through the mesh" });
    const res = await fetch(`${meshUrl}/v1/agents/alice/chat`, {
      method: "POST",
      headers: { ...OPERATOR, "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({ message: "hello via mesh" }),
    });
    const body = await res.text();
    expect(res.status).toBe(200);
    expect(body).toContain("event: delta");
    expect(body).toContain('"reply":"streamed through the mesh"');
  });

  it("writes task results to the blackboard and reads them back", async () => {
    const { meshUrl, h } = await stack();
    h.fake.script(
      "openai",
      {
        toolCalls: [
          { name: "write_shared_state", args: { key: "context/results/q3", value: { revenue: 42 } } },
        ],
      },
      {
        toolCalls: [
          { name: "read_shared_state", args: { key: "context/results/q3" } },
          { name: "write_shared_state", args: { key: "tasks/forbidden", value: 1 } },
        ],
      },
      { text: "saved" },
    );
    const task = await runTask(h, "save results");
    expect(task.status).toBe("completed");
    const entry = (await (
      await fetch(`${meshUrl}/v1/blackboard/context/results/q3`, { headers: OPERATOR })
    ).json()) as Record<string, unknown>;
    expect(entry).toMatchObject({ key: "context/results/q3", value: { revenue: 42 }, updated_by: "alice" });
    const [read, denied] = toolMessages(h.fake.requests.at(-1)).slice(-2);
    expect(read).toContain('"revenue": 42');
    expect(denied).toContain("OL_ERR_AGENT_MESH_CALL");
    expect(denied).toContain("403");
  });
});
