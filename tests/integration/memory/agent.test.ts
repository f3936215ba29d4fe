import { afterEach, describe, expect, it } from "vitest";
import {
  chat,
  type Harness,
  messagesOf,
  post,
  startHarness,
  toolMessages,
  toolsOffered,
} from "../agent/harness.js";
import { type Stack, startStack } from "../egress-proxy/harness.js";

let h: Harness | undefined;
let stack: Stack | undefined;
afterEach(async () => {
  await h?.close();
  await stack?.close();
  h = undefined;
  stack = undefined;
});

const chatRequests = (x: Harness) => x.fake.requests.filter((r) => r.route === "openai.chat");
const systemOf = (r: Parameters<typeof messagesOf>[0]) =>
  String(messagesOf(r).find((m) => m.role === "system")?.content ?? "");

/** Session 1: the model saves the fact with memory_save (scripted tool call), then answers. */
async function sessionOne(x: Harness): Promise<void> {
  x.fake.script(
    "openai",
    {
      toolCalls: [
        { name: "memory_save", args: { text: "The user's cat is named Whiskerino", key: "user cat name" } },
      ],
    },
    { text: "Noted: your cat is Whiskerino." },
  );
  expect((await chat(x, "my cat's name is Whiskerino")).reply).toBe("Noted: your cat is Whiskerino.");
  expect(toolMessages(chatRequests(x).at(-1))[0]).toContain('"action": "created"');
}

describe("Whiskerino through the agent runtime", () => {
  it("after a reset, the first request of session 2 carries the recalled fact", async () => {
    h = await startHarness();
    await sessionOne(h);
    expect((await post(h, "/reset", {})).status).toBe(200);
    h.fake.script("openai", { text: "Your cat is called Whiskerino." });
    const before = chatRequests(h).length;
    expect((await chat(h, "what is my cat called?")).reply).toBe("Your cat is called Whiskerino.");
    const first = chatRequests(h)[before];
    expect(messagesOf(first).filter((m) => m.role !== "system")).toHaveLength(1); // the reset emptied the history
    expect(systemOf(first)).toContain("## Remembered facts");
    expect(systemOf(first)).toContain("The user's cat is named Whiskerino");
    expect(toolsOffered(first)).toEqual(
      expect.arrayContaining(["memory_save", "memory_search", "memory_recall"]),
    );
  });

  it("after a process restart, recall through the tool answers it", async () => {
    h = await startHarness();
    await sessionOne(h);
    await post(h, "/reset", {});
    await h.restart();
    h.fake.script(
      "openai",
      { toolCalls: [{ name: "memory_recall", args: { query: "cat name" } }] },
      { text: "Whiskerino." },
    );
    expect((await chat(h, "what is my cat called?")).reply).toBe("Whiskerino.");
    const recall = JSON.parse(toolMessages(chatRequests(h).at(-1))[0] ?? "{}");
    expect(recall).toMatchObject({ mode: "hybrid", facts: [{ text: "The user's cat is named Whiskerino" }] });
  });

  it("a 'context too long' provider error compacts the conversation and retries once", async () => {
    // Through the real egress proxy: it re-labels the provider's answer with its code, which the agent keys on.
    stack = await startStack();
    h = await startHarness(
      { id: "alice", proxy_url: stack.url },
      { fake: stack.fake, agentToken: stack.token("alice"), overrides: { embedder: null } },
    );
    for (let i = 0; i < 4; i++) {
      h.fake.script("openai", { text: `answer ${i}` });
      await chat(h, `message ${i} about the quarterly plan`);
    }
    h.fake.script(
      "openai",
      {
        error: {
          status: 400,
          body: {
            error: {
              message: "This model's maximum context length is 128000 tokens.",
              code: "context_length_exceeded",
            },
          },
        },
      },
      { text: '{"facts":[{"text":"The quarterly plan was discussed","category":"project"}]}' },
      { text: "We discussed the quarterly plan." },
      { text: "Retried fine." },
    );
    expect((await chat(h, "and now?")).reply).toBe("Retried fine.");
    const last = chatRequests(h).at(-1);
    expect(systemOf(last)).toContain("We discussed the quarterly plan.");
    expect(messagesOf(last).filter((m) => m.role !== "system")).toHaveLength(5); // last 4 + the new message
  });
});
