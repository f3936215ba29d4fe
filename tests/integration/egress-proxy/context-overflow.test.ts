import { afterEach, describe, expect, test } from "vitest";
import { PROXY_AGENT_CODES, parseProxyError } from "../../../services/common/contracts/proxy-error.js";
import { errorBody } from "../../fakes/llm-provider/errors.js";
import type { ProviderName } from "../../fakes/llm-provider/types.js";
import { post, type Stack, startStack } from "./harness.js";

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** One chat request per provider, in that provider's own wire format, as alice. */
function call(s: Stack, provider: ProviderName) {
  const messages = [{ role: "user", content: "a very long prompt" }];
  if (provider === "anthropic")
    return post(
      `${s.url}/llm/anthropic/v1/messages`,
      undefined,
      { model: "claude-haiku-4-5", max_tokens: 5, messages },
      {
        "x-api-key": s.token("alice"),
      },
    );
  if (provider === "gemini")
    return post(`${s.url}/llm/gemini/v1beta/models/gemini-2.5-flash:generateContent`, s.token("alice"), {
      contents: [{ role: "user", parts: [{ text: "a very long prompt" }] }],
    });
  return post(`${s.url}/llm/openai/v1/chat/completions`, s.token("alice"), {
    model: "gpt-4o-mini",
    messages,
  });
}

// Each provider's real "prompt too long" answer (their documented shapes).
const OVERFLOW: Record<ProviderName, { body: unknown; said: string }> = {
  openai: {
    body: {
      error: {
        message:
          "This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens.",
        type: "invalid_request_error",
        param: "messages",
        code: "context_length_exceeded",
      },
    },
    said: "maximum context length is 128000 tokens",
  },
  anthropic: {
    body: errorBody("anthropic", 400, "req_1", "prompt is too long: 210000 tokens > 200000 maximum"),
    said: "prompt is too long: 210000 tokens",
  },
  gemini: {
    body: errorBody(
      "gemini",
      400,
      "req_1",
      "The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).",
    ),
    said: "input token count (1200000)",
  },
};

describe("the proxy re-labels a provider's context overflow with its own code", () => {
  test.each(["openai", "anthropic", "gemini"] as const)(
    "%s: 400 with OL_ERR_PROXY_CONTEXT_OVERFLOW",
    async (provider) => {
      stack = await startStack();
      stack.fake.script(provider, { error: { status: 400, body: OVERFLOW[provider].body } });
      const res = await call(stack, provider);
      expect(res.status).toBe(400);
      const body = parseProxyError(res.text);
      expect(body?.code).toBe(PROXY_AGENT_CODES.contextOverflow);
      expect(body?.error).toMatchObject({ type: "invalid_request_error", provider });
      expect(body?.message).toContain(OVERFLOW[provider].said);
    },
  );

  test("the re-labelled call is in the ledger at no cost, and the next call goes through", async () => {
    stack = await startStack();
    stack.fake.script(
      "openai",
      { error: { status: 400, body: OVERFLOW.openai.body } },
      { text: "shorter now" },
    );
    expect((await call(stack, "openai")).status).toBe(400);
    const ok = await call(stack, "openai");
    expect(ok.status).toBe(200);
    expect(ok.text).toContain("shorter now");
    const costs = (await (
      await fetch(`${stack.url}/admin/costs`, { headers: { authorization: `Bearer ${stack.operator}` } })
    ).json()) as { by_model: { agent: string; calls: number; cost_usd: number }[] };
    expect(costs.by_model).toContainEqual(expect.objectContaining({ agent: "alice", calls: 2 }));
  });

  test.each(["openai", "anthropic", "gemini"] as const)(
    "%s: any other 400 passes through byte for byte",
    async (provider) => {
      stack = await startStack();
      const body = errorBody(provider, 400, "req_2", "Invalid request.");
      stack.fake.script(provider, { error: { status: 400, body } });
      const res = await call(stack, provider);
      expect(res.status).toBe(400);
      expect(res.text).toBe(JSON.stringify(body));
      expect(parseProxyError(res.text)).toBeUndefined();
    },
  );
});
