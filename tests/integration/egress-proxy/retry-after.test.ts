import { afterEach, describe, expect, test } from "vitest";
import { MAX_RETRY_AFTER_S } from "../../../services/egress-proxy/health/retry-after.js";
import { post, type Stack, startStack } from "./harness.js";

let stack: Stack;
afterEach(async () => {
  await stack?.close();
});

const hello = { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] };
const chat = (s: Stack) => `${s.url}/llm/openai/v1/chat/completions`;
const T0 = Date.parse("2026-05-05T10:00:00Z");

describe("cooldowns honour the provider's retry-after", () => {
  test.each([
    // status, provider's header, cooldown the agent is told
    [429, { "retry-after": "7200" }, 7200], // longer than the table's 3600 → the provider wins
    [503, { "retry-after": "240" }, 240], // longer than 60
    [503, { "retry-after": "5" }, 60], // shorter than the table → the table wins
    [429, { "retry-after-ms": "5400000" }, 5400], // OpenAI's millisecond header
    [429, { "retry-after": new Date(T0 + 2 * 3_600_000).toUTCString() }, 7200], // HTTP-date
    [429, { "retry-after": String(30 * 86_400) }, MAX_RETRY_AFTER_S], // capped at 24 h
    [429, { "retry-after": "soon" }, 3600], // unreadable → the table
  ])("upstream %i with %o → the model cools for %i s", async (status, headers, seconds) => {
    // Given a provider that rate-limits with a retry-after header
    let now = T0;
    stack = await startStack(() => {}, { now: () => now });
    stack.fake.script("openai", { error: { status, headers } });
    // When the agent calls, then calls again
    expect((await post(chat(stack), stack.token("alice"), hello)).status).toBe(status);
    const cooled = await post(chat(stack), stack.token("alice"), hello);
    // Then the second call is refused at once with the longer of the two waits
    expect(cooled.status).toBe(503);
    expect(cooled.headers.get("retry-after")).toBe(String(seconds));
    const health = (await (
      await fetch(`${stack.url}/admin/health`, { headers: { authorization: `Bearer ${stack.operator}` } })
    ).json()) as { models: Array<Record<string, unknown>> };
    expect(health.models[0]).toMatchObject({ model: "openai/gpt-4o-mini", retry_after_s: seconds });
    // And the model is usable again once that time has passed
    now += seconds * 1000 + 1;
    expect((await post(chat(stack), stack.token("alice"), hello)).status).toBe(200);
    expect(stack.fake.requests).toHaveLength(2);
  });

  test("a retry-after on a 400 never cools the model", async () => {
    stack = await startStack();
    stack.fake.script("openai", { error: { status: 400, headers: { "retry-after": "3600" } } });
    expect((await post(chat(stack), stack.token("alice"), hello)).status).toBe(400);
    expect((await post(chat(stack), stack.token("alice"), hello)).status).toBe(200);
  });

  test("the provider's wait survives a restart", async () => {
    let now = T0;
    stack = await startStack(() => {}, { now: () => now });
    stack.fake.script("openai", { error: { status: 429, headers: { "retry-after": "9000" } } });
    await post(chat(stack), stack.token("alice"), hello);
    const { dir, fake } = stack;
    await stack.proxy.close();
    const again = await startStack(() => {}, { now: () => now }, { dir, fake });
    try {
      now += 5000 * 1000; // past the table's 3600 s, still inside the provider's 9000 s
      const cooled = await post(chat(again), again.token("alice"), hello);
      expect(cooled.status).toBe(503);
      expect(cooled.headers.get("retry-after")).toBe("4000");
    } finally {
      await again.close();
    }
  });
});
