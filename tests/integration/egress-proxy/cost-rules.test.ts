import { afterEach, describe, expect, test } from "vitest";
import { costOf, PriceBook } from "../../../services/egress-proxy/pricing/price.js";
import { post, type Stack, startStack } from "./harness.js";

/**
 * Seed parity for costs (issue 22 item 5), through the real proxy and the fake provider: a response
 * that reports only a total is priced 70/30, and a self-hosted (local) provider's calls cost 0.
 */
let stack: Stack;
afterEach(async () => {
  await stack?.close();
});

const chat = (s: Stack, provider = "openai") => `${s.url}/llm/${provider}/v1/chat/completions`;
const lastCall = (s: Stack) => s.proxy.context.store.recentCalls(1)[0] as Record<string, number | string>;

describe("cost rules", () => {
  test("a response with only total_tokens is priced as 70 % input, 30 % output", async () => {
    stack = await startStack();
    stack.fake.script("openai", { text: "ok", usage: { input: 600, output: 400, totalOnly: true } });
    const res = await post(chat(stack), stack.token("alice"), {
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "hi" }],
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text).usage).toEqual({ total_tokens: 1000 }); // what the provider said
    const row = lastCall(stack);
    expect(row).toMatchObject({ input_tokens: 700, output_tokens: 300 });
    const { price } = new PriceBook({}).lookup("openai/gpt-4o-mini");
    const expected = costOf(
      { inputTokens: 700, outputTokens: 300, cachedInputTokens: 0, cacheWriteTokens: 0 },
      price,
    );
    expect(Number(row.cost_nusd)).toBe(Math.round(expected * 1e9));
    expect(Number(row.cost_nusd)).toBeGreaterThan(0);
  });

  test("a provider marked local costs 0, unless pricing names the model", async () => {
    stack = await startStack((c) => {
      c.providers.compat = { ...c.providers.compat!, local: true };
    });
    stack.fake.script("*", { text: "ok", usage: { input: 5000, output: 5000 } });
    const body = { model: "llama-3", messages: [{ role: "user", content: "hi" }] };
    expect((await post(chat(stack, "compat"), stack.token("alice"), body)).status).toBe(200);
    expect(lastCall(stack)).toMatchObject({ input_tokens: 5000, output_tokens: 5000, cost_nusd: 0 });
    await stack.close();

    stack = await startStack((c) => {
      c.providers.compat = { ...c.providers.compat!, local: true };
      c.pricing["compat/llama-3"] = { input_per_mtok: 1, output_per_mtok: 1 };
    });
    stack.fake.script("*", { text: "ok", usage: { input: 5000, output: 5000 } });
    expect((await post(chat(stack, "compat"), stack.token("alice"), body)).status).toBe(200);
    expect(Number(lastCall(stack).cost_nusd)).toBe(10_000 * 1000); // 10 000 tokens at $1/Mtok = $0.01
  });
});
