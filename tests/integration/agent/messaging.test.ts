import { afterEach, describe, expect, it } from "vitest";
import { messagesOf, runTask, toolMessages } from "./harness.js";
import { type Stack, startStack, waitFor } from "./mesh-stack.js";

/** send_message, boot subscriptions and subscribe_topic between real agents through the real mesh. */
let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** The first model request whose messages contain `text`. */
const requestWith = (s: Stack, text: string) =>
  waitFor(`a model request with ${text}`, async () =>
    s.fake.requests.find((r) => JSON.stringify(messagesOf(r)).includes(text)),
  );

describe("agents talking through the mesh", () => {
  it("send_message reaches the peer's inbox; a peer outside can_message is a tool error", async () => {
    stack = await startStack({ alice: { can_message: ["bob"] }, bob: {}, carol: {} });
    stack.fake.script(
      "openai",
      {
        toolCalls: [
          { name: "send_message", args: { to: "bob", text: "the report is ready" } },
          { name: "send_message", args: { to: "carol", payload: { n: 1 } } },
        ],
      },
      { text: "sent" },
      { text: "thanks" },
    );
    const task = await runTask(stack.agents.alice!, "tell bob");
    expect(task.status).toBe("completed");
    // Bob's turn may run between alice's two model calls: pick alice's request with the tool results.
    const withResults = stack.fake.requests.find((r) => toolMessages(r).length === 2);
    const [sent, denied] = toolMessages(withResults);
    expect(sent).toContain('"to": "bob"');
    expect(denied).toContain("403");
    expect(denied).toContain("can_message");
    const bobTurn = await requestWith(stack, "[message from alice] the report is ready");
    expect(bobTurn).toBeDefined();
  });

  it("literal can_subscribe topics are subscribed at boot; subscribe_topic adds a glob-granted one", async () => {
    stack = await startStack({
      alice: { can_publish: ["**"] },
      bob: { can_subscribe: ["research_complete", "alerts/*"] },
    });
    // Boot subscription: alice publishes, bob's model is asked about the event without subscribing first.
    stack.fake.script(
      "openai",
      { toolCalls: [{ name: "publish_event", args: { topic: "research_complete", payload: { id: 7 } } }] },
      { text: "published" },
      { text: "noted the event" },
    );
    await runTask(stack.agents.alice!, "publish");
    await requestWith(stack, "[event on topic research_complete from alice]");
    await stack.agents.bob!.agent.runtime.queue.idle();

    // alerts/* is granted by a glob: bob subscribes with the tool, then receives alerts/disk.
    stack.fake.script(
      "openai",
      {
        toolCalls: [
          { name: "subscribe_topic", args: { topic: "alerts/disk" } },
          { name: "subscribe_topic", args: { topic: "billing" } },
        ],
      },
      { text: "subscribed" },
    );
    const before = stack.fake.requests.length;
    await runTask(stack.agents.bob!, "subscribe to disk alerts");
    const [ok, denied] = toolMessages(
      stack.fake.requests.slice(before).find((r) => toolMessages(r).length === 2),
    );
    expect(ok).toContain('"created": true');
    expect(denied).toContain("403");
    stack.fake.script(
      "openai",
      { toolCalls: [{ name: "publish_event", args: { topic: "alerts/disk", payload: "95%" } }] },
      { text: "published" },
      { text: "will clean up" },
    );
    await runTask(stack.agents.alice!, "alert");
    await requestWith(stack, "[event on topic alerts/disk from alice]");
  });
});
