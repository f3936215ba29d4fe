import { afterEach, describe, expect, it } from "vitest";
import { MeshClient } from "../../../generator/client/mesh-client.js";
import { chat, type Harness, messagesOf, startHarness } from "../agent/harness.js";
import { type Stack, startStack } from "../agent/mesh-stack.js";
import { OPERATOR } from "../mesh/helpers.js";

/** Issue 23 item 3: what a failed chat turn leaves behind, and what the CLI says when the mesh goes away. */
let h: Harness | undefined;
let stack: Stack | undefined;
afterEach(async () => {
  await h?.close();
  await stack?.close();
  h = undefined;
  stack = undefined;
});

describe("a chat turn whose model call failed", () => {
  it("leaves no orphan user turn: the retry is the only copy of the question the model sees", async () => {
    // Given an agent whose model fails once, then answers
    h = await startHarness();
    h.fake.script("openai", { error: { status: 400 } }, { text: "answered" });
    // When the operator asks, gets the failure, and asks again
    const failed = await chat(h, "what is the plan?");
    expect(failed.status).toBe("failed");
    expect(h.agent.store.messageCount("chat")).toBe(0);
    const ok = await chat(h, "what is the plan?");
    // Then the second call carries the question once, and the history holds one clean exchange
    expect(ok.reply).toBe("answered");
    const users = messagesOf(h.fake.requests.at(-1)).filter((m) => m.role === "user");
    expect(users.map((m) => m.content)).toEqual(["what is the plan?"]);
    expect(h.agent.store.history("chat", 10).map((m) => m.role)).toEqual(["user", "assistant"]);
  });
});

describe("the CLI's chat when the mesh goes away mid-reply", () => {
  it("fails with one clear OL_ERR_FLEET_MESH_UNREACHABLE line, not a socket stack trace", async () => {
    stack = await startStack({ alice: {} });
    stack.fake.script("openai", { text: "one two three four five six seven eight", chunkDelayMs: 300 });
    const token = OPERATOR.authorization.slice("Bearer ".length);
    const client = new MeshClient({ url: stack.meshUrl, token });
    const outcome = client.chat("alice", "talk slowly", {
      // The first streamed word: the mesh's sockets are cut, as when its process dies.
      onEvent: (ev) => {
        if (ev.type === "delta") stack?.mesh.app.server.closeAllConnections();
      },
    });
    await expect(outcome).rejects.toMatchObject({
      code: "OL_ERR_FLEET_MESH_UNREACHABLE",
      message: expect.stringMatching(/went away while alice was replying .*openlegion status/),
    });
  });
});
