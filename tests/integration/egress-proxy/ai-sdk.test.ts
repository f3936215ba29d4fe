import { createAnthropic } from "@ai-sdk/anthropic";
import { createGoogle } from "@ai-sdk/google";
import { createOpenAI } from "@ai-sdk/openai";
import { generateText, type LanguageModel, streamText, tool } from "ai";
import { afterEach, describe, expect, test } from "vitest";
import { z } from "zod";
import { KEYS, type Stack, startStack } from "./harness.js";

/**
 * The AI SDK (what our agents use) pointed at the proxy: baseURL = the proxy's provider door, apiKey = the
 * agent token. The fake provider must see the real key and never the token; the ledger meters the call.
 */
let stack: Stack;
afterEach(async () => {
  await stack?.close();
});

type Provider = "openai" | "anthropic" | "gemini";

const models: Record<Provider, (s: Stack) => LanguageModel> = {
  openai: (s) =>
    createOpenAI({ baseURL: `${s.url}/llm/openai/v1`, apiKey: s.token("alice") }).chat("gpt-4o-mini"),
  anthropic: (s) =>
    createAnthropic({ baseURL: `${s.url}/llm/anthropic/v1`, apiKey: s.token("alice") })("claude-haiku-4-5"),
  gemini: (s) =>
    createGoogle({ baseURL: `${s.url}/llm/gemini/v1beta`, apiKey: s.token("alice") })("gemini-2.5-flash"),
};

const ledgerModel: Record<Provider, string> = {
  openai: "openai/gpt-4o-mini",
  anthropic: "anthropic/claude-haiku-4-5",
  gemini: "gemini/gemini-2.5-flash",
};

function expectRealKeyOnly(s: Stack, provider: Provider) {
  expect(s.fake.requests.length).toBeGreaterThan(0);
  for (const r of s.fake.requests) {
    expect(r.provider).toBe(provider);
    expect(r.credential?.value).toBe(KEYS[provider]);
    expect(JSON.stringify(r.headers) + r.path + JSON.stringify(r.query)).not.toContain(s.token("alice"));
  }
}

describe.each(["openai", "anthropic", "gemini"] as const)("AI SDK through the proxy: %s", (provider) => {
  test("generateText: the answer arrives, the provider saw the real key, the ledger has the usage", async () => {
    // Given a scripted answer with known usage
    stack = await startStack();
    stack.fake.script(provider, { text: `hello via ${provider}`, usage: { input: 120, output: 30 } });
    // When the agent calls generateText with its token as the API key
    const result = await generateText({ model: models[provider](stack), prompt: "say hello", maxRetries: 0 });
    // Then it gets the answer and the SDK's usage, and the proxy metered exactly that
    expect(result.text).toBe(`hello via ${provider}`);
    expect(result.usage.inputTokens).toBe(120);
    expect(result.usage.outputTokens).toBe(30);
    expectRealKeyOnly(stack, provider);
    expect(stack.proxy.context.store.recentCalls(1)[0]).toMatchObject({
      agent: "alice",
      model: ledgerModel[provider],
      status: 200,
      input_tokens: 120,
      output_tokens: 30,
      usage_source: "reported",
    });
  });

  test("streamText with a tool call: chunks stream through, the tool call parses, usage is metered", async () => {
    // Given a streamed answer that calls a tool
    stack = await startStack();
    stack.fake.script(provider, {
      toolCalls: [{ name: "lookup", args: { city: "Paris" } }],
      usage: { input: 64, output: 9 },
    });
    // When the agent streams it with a tool declared
    const result = streamText({
      model: models[provider](stack),
      prompt: "weather in Paris?",
      tools: { lookup: tool({ inputSchema: z.object({ city: z.string() }) }) },
      maxRetries: 0,
    });
    const parts: string[] = [];
    for await (const part of result.fullStream) parts.push(part.type);
    // Then the SDK saw the tool call and the final usage
    expect(parts).toContain("tool-call");
    expect(await result.toolCalls).toEqual([
      expect.objectContaining({ toolName: "lookup", input: { city: "Paris" } }),
    ]);
    const usage = await result.totalUsage;
    expect(usage.inputTokens).toBe(64);
    expect(usage.outputTokens).toBe(9);
    expectRealKeyOnly(stack, provider);
    expect(stack.proxy.context.store.recentCalls(1)[0]).toMatchObject({
      model: ledgerModel[provider],
      input_tokens: 64,
      output_tokens: 9,
      usage_source: "reported",
    });
  });

  test("streamText text: every delta arrives in order", async () => {
    stack = await startStack();
    stack.fake.script(provider, { text: "one two three four five", usage: { input: 10, output: 5 } });
    const result = streamText({ model: models[provider](stack), prompt: "count", maxRetries: 0 });
    let text = "";
    for await (const delta of result.textStream) text += delta;
    expect(text).toBe("one two three four five");
    expect(stack.proxy.context.store.recentCalls(1)[0]).toMatchObject({
      output_tokens: 5,
      usage_source: "reported",
    });
  });
});
