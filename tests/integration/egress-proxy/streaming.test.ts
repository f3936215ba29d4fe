import { afterEach, describe, expect, test } from "vitest";
import { type Stack, startStack } from "./harness.js";

let stack: Stack;
afterEach(async () => {
  await stack?.close();
});

const streamBody = JSON.stringify({
  model: "gpt-4o-mini",
  stream: true,
  messages: [{ role: "user", content: "hi" }],
});

describe("streams are relayed as they arrive", () => {
  test("the head reaches the client while the provider has not sent a single event yet", async () => {
    // Given a provider that sends its head and then nothing (a long time to first token)
    stack = await startStack();
    stack.fake.script("openai", { fault: "never_end", afterChunks: 0 });
    const abort = new AbortController();
    // When the agent opens the stream
    const res = await fetch(`${stack.url}/llm/openai/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.token("alice")}`, "content-type": "application/json" },
      body: streamBody,
      signal: abort.signal,
    });
    // Then fetch resolves with the status and headers (it would hang if the proxy held the head back)
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    abort.abort();
    await stack.fake.waitForAborts(1);
  });

  test("each event is flushed on its own: the first arrives although the stream never ends", async () => {
    stack = await startStack();
    stack.fake.script("openai", {
      fault: "never_end",
      afterChunks: 1,
      answer: { text: "first second third" },
    });
    const abort = new AbortController();
    const res = await fetch(`${stack.url}/llm/openai/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.token("alice")}`, "content-type": "application/json" },
      body: streamBody,
      signal: abort.signal,
    });
    const reader = res.body?.getReader();
    const first = await reader?.read();
    expect(new TextDecoder().decode(first?.value)).toContain('"content"');
    abort.abort();
    await stack.fake.waitForAborts(1);
  });
});
