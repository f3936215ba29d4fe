import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterEach, describe, expect, test } from "vitest";
import { KEYS, type Stack, startStack } from "./harness.js";

let stack: Stack;
afterEach(async () => {
  await stack?.close();
});

const openai = (s: Stack, agent = "alice") =>
  new OpenAI({ baseURL: `${s.url}/llm/openai/v1`, apiKey: s.token(agent), maxRetries: 0 });
const anthropic = (s: Stack) =>
  new Anthropic({ baseURL: `${s.url}/llm/anthropic`, apiKey: s.token("alice"), maxRetries: 0 });

/** Every request the fake saw carried the real key and no trace of the agent token. */
function expectKeysSwapped(s: Stack) {
  expect(s.fake.requests.length).toBeGreaterThan(0);
  for (const r of s.fake.requests) {
    expect(r.credential?.value).toBe(KEYS[r.provider as "openai" | "anthropic" | "gemini"]);
    expect(JSON.stringify(r.headers) + r.path + JSON.stringify(r.query)).not.toContain(s.token("alice"));
  }
}

describe("real SDKs through the proxy", () => {
  test("OpenAI JSON: the answer arrives, the key is swapped, the ledger prices the reported usage", async () => {
    stack = await startStack();
    stack.fake.script("openai", {
      text: "hello from fake",
      usage: { input: 1000, output: 200, cached: 400 },
    });
    const res = await openai(stack).chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "hi" }],
    });
    expect(res.choices[0]?.message.content).toBe("hello from fake");
    expectKeysSwapped(stack);
    const [row] = stack.proxy.context.store.recentCalls(1);
    // gpt-4o-mini: 600 × 0.15 + 400 × 0.075 + 200 × 0.60 per Mtok
    expect(row).toMatchObject({
      agent: "alice",
      model: "openai/gpt-4o-mini",
      status: 200,
      input_tokens: 1000,
      cached_input_tokens: 400,
      output_tokens: 200,
      usage_source: "reported",
    });
    expect(Number(row?.cost_nusd) / 1e9).toBeCloseTo((600 * 0.15 + 400 * 0.075 + 200 * 0.6) / 1e6, 12);
  });

  test("OpenAI stream with tool calls: the client gets no usage chunk it did not ask for, the proxy meters it", async () => {
    stack = await startStack();
    stack.fake.script("openai", {
      toolCalls: [{ name: "search", args: { q: "cats" } }],
      usage: { input: 50, output: 12 },
    });
    const stream = await openai(stack).chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "find cats" }],
      tools: [
        {
          type: "function",
          function: { name: "search", parameters: { type: "object", properties: { q: { type: "string" } } } },
        },
      ],
      stream: true,
    });
    let args = "";
    let sawUsage = false;
    for await (const chunk of stream) {
      args += chunk.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? "";
      if (chunk.usage) sawUsage = true;
    }
    expect(JSON.parse(args)).toEqual({ q: "cats" });
    expect(sawUsage).toBe(false);
    expect(stack.fake.requests[0]?.json).toMatchObject({ stream_options: { include_usage: true } });
    expect(stack.proxy.context.store.recentCalls(1)[0]).toMatchObject({
      input_tokens: 50,
      output_tokens: 12,
      usage_source: "reported",
    });
    expectKeysSwapped(stack);
  });

  test("OpenAI stream that asked for usage keeps its usage chunk", async () => {
    stack = await startStack();
    stack.fake.script("openai", { text: "abc", usage: { input: 5, output: 2 } });
    const stream = await openai(stack).chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "x" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const usages = [];
    for await (const chunk of stream) if (chunk.usage) usages.push(chunk.usage);
    expect(usages).toEqual([expect.objectContaining({ prompt_tokens: 5, completion_tokens: 2 })]);
  });

  test("OpenAI embeddings are metered as input only", async () => {
    stack = await startStack();
    const res = await openai(stack).embeddings.create({
      model: "text-embedding-3-small",
      input: ["one two", "two three"],
    });
    expect(res.data).toHaveLength(2);
    const [row] = stack.proxy.context.store.recentCalls(1);
    expect(row).toMatchObject({
      model: "openai/text-embedding-3-small",
      output_tokens: 0,
      usage_source: "reported",
    });
    expect(Number(row?.input_tokens)).toBeGreaterThan(0);
  });

  test("Anthropic JSON and stream: x-api-key swapped, cache tokens metered", async () => {
    stack = await startStack();
    stack.fake.script("anthropic", {
      text: "json answer",
      usage: { input: 300, output: 20, cached: 100, cacheWrite: 50 },
    });
    stack.fake.script("anthropic", { text: "streamed answer", usage: { input: 40, output: 9 } });
    const client = anthropic(stack);
    const msg = await client.messages.create({
      model: "claude-haiku-4-5",
      max_tokens: 100,
      messages: [{ role: "user", content: "hi" }],
    });
    expect(msg.content[0]).toMatchObject({ type: "text", text: "json answer" });
    expect(stack.proxy.context.store.recentCalls(1)[0]).toMatchObject({
      input_tokens: 300,
      cached_input_tokens: 100,
      cache_write_tokens: 50,
      output_tokens: 20,
    });
    const stream = client.messages.stream({
      model: "claude-haiku-4-5",
      max_tokens: 100,
      messages: [{ role: "user", content: "hi" }],
    });
    const final = await stream.finalMessage();
    expect(final.content[0]).toMatchObject({ text: "streamed answer" });
    expect(stack.proxy.context.store.recentCalls(1)[0]).toMatchObject({
      input_tokens: 40,
      output_tokens: 9,
      usage_source: "reported",
    });
    expectKeysSwapped(stack);
  });

  test("Gemini with ?key= and SSE: the model comes from the path, usage from the last snapshot", async () => {
    stack = await startStack();
    stack.fake.script("gemini", { text: "gem says hi", usage: { input: 70, output: 11 } });
    const res = await fetch(
      `${stack.url}/llm/gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse&key=${stack.token("alice")}`,
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "hello" }] }] }),
      },
    );
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("gem");
    expect(stack.fake.requests[0]?.query.key).toBeUndefined();
    expect(stack.fake.requests[0]?.query.alt).toBe("sse");
    expect(stack.proxy.context.store.recentCalls(1)[0]).toMatchObject({
      model: "gemini/gemini-2.5-flash",
      input_tokens: 70,
      output_tokens: 11,
    });
    expectKeysSwapped(stack);
  });

  test("an OpenAI-compatible provider is reached under its base path", async () => {
    stack = await startStack();
    const res = await new OpenAI({
      baseURL: `${stack.url}/llm/compat/v1`,
      apiKey: stack.token("alice"),
      maxRetries: 0,
    }).chat.completions.create({
      model: "llama-3",
      messages: [{ role: "user", content: "hi" }],
    });
    expect(res.choices[0]?.message.content).toContain("fake reply");
    expect(stack.fake.requests[0]?.path).toBe("/compat/v1/chat/completions");
    // llama-3 has no price: the conservative default is charged, never 0.
    expect(Number(stack.proxy.context.store.recentCalls(1)[0]?.cost_nusd)).toBeGreaterThan(0);
  });
});
