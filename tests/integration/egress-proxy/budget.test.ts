import OpenAI from "openai";
import { afterEach, describe, expect, test } from "vitest";
import { toNusd } from "../../../services/egress-proxy/store/ledger-store.js";
import { until } from "../mesh/helpers.js";
import { post, type Stack, startStack } from "./harness.js";

let stack: Stack;
afterEach(async () => {
  await stack?.close();
});

// gpt-4o-mini output is $0.60/Mtok; max_tokens 10_000 reserves ≈ $0.006 + input; a $0.065 budget admits 10.
const BUDGET = 0.065;
const body = {
  model: "gpt-4o-mini",
  max_tokens: 10_000,
  stream: true,
  messages: [{ role: "user", content: "go" }],
};

describe("budgets", () => {
  test("200 concurrent streaming calls against a budget that admits 10: exactly 10 forwarded, ledger equals provider usage", async () => {
    stack = await startStack(
      (c) => {
        if (c.agents.alice) c.agents.alice.budget = { daily_usd: BUDGET, monthly_usd: 100 };
      },
      { limits: { maxInFlightPerAgent: 500 } },
    );
    // Admitted calls are held at the fake until the proxy has decided every request (refused, or
    // arrived upstream), so no settlement frees budget early however slowly the 200 arrive.
    for (let i = 0; i < 200; i++)
      stack.fake.script("openai", { text: "streamed words here", usage: { input: 100, output: 50 } });
    const release = stack.fake.hold("response");
    const url = `${stack.url}/llm/openai/v1/chat/completions`;
    let answered = 0;
    const calls = Array.from({ length: 200 }, () =>
      post(url, stack.token("alice"), body).finally(() => answered++),
    );
    await until(() => answered + stack.fake.requests.length === 200);
    release();
    const results = await Promise.all(calls);
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 402)).toHaveLength(190);
    expect(stack.fake.requests).toHaveLength(10);
    const refusal = JSON.parse(results.find((r) => r.status === 402)?.text ?? "{}");
    expect(refusal).toMatchObject({
      code: "OL_ERR_PROXY_BUDGET_EXCEEDED",
      error: { type: "budget_exceeded", agent: "alice", period: "daily", limit: BUDGET, retryable: false },
    });
    const rows = stack.proxy.context.store.recentCalls(1000);
    expect(rows).toHaveLength(10);
    expect(
      rows.every((r) => r.input_tokens === 100 && r.output_tokens === 50 && r.usage_source === "reported"),
    ).toBe(true);
    const window = stack.proxy.context.store.window("alice", `d:${new Date().toISOString().slice(0, 10)}`);
    expect(window.reservedNusd).toBe(0);
    expect(window.spentNusd).toBe(rows.reduce((sum, r) => sum + Number(r.cost_nusd), 0));
    expect(window.spentNusd).toBe(10 * toNusd((100 * 0.15 + 50 * 0.6) / 1e6));
  });

  test("after settlement the unused reservation is free again", async () => {
    stack = await startStack((c) => {
      if (c.agents.alice) c.agents.alice.budget = { daily_usd: 0.0065, monthly_usd: 100 };
    });
    for (let i = 0; i < 3; i++) {
      const res = await post(`${stack.url}/llm/openai/v1/chat/completions`, stack.token("alice"), {
        ...body,
        stream: false,
      });
      expect(res.status).toBe(200);
    }
  });

  test("a call whose worst-case reservation alone exceeds the budget is refused naming that reservation", async () => {
    stack = await startStack((c) => {
      if (c.agents.alice) c.agents.alice.budget = { daily_usd: 0.001, monthly_usd: 100 };
    });
    // 10_000 output tokens at $0.60/Mtok reserve ≈ $0.006: more than the whole $0.001 budget, nothing spent.
    const res = await post(`${stack.url}/llm/openai/v1/chat/completions`, stack.token("alice"), body);
    expect(res.status).toBe(402);
    const { message } = JSON.parse(res.text).error as { message: string };
    expect(message).toMatch(
      /daily budget \$0\.0010 cannot hold this call's worst-case reservation of \$0\.006\d/,
    );
    expect(message).toContain("lower max_tokens or raise the budget");
    expect(stack.fake.requests).toHaveLength(0);
  });

  test("the kill switch refuses at once (402), survives a restart, and unfreeze resumes", async () => {
    stack = await startStack();
    const admin = (path: string) =>
      fetch(`${stack.url}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${stack.operator}` },
      });
    expect((await admin("/admin/agents/alice/freeze")).status).toBe(200);
    const client = new OpenAI({
      baseURL: `${stack.url}/llm/openai/v1`,
      apiKey: stack.token("alice"),
      maxRetries: 0,
    });
    const error = await client.chat.completions
      .create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "x" }] })
      .catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error.status).toBe(402);
    expect(error.message).toContain("frozen");
    const { dir, fake } = stack;
    await stack.proxy.close();
    const again = await startStack(() => {}, {}, { dir, fake });
    stack = {
      ...again,
      close: async () => {
        await again.close();
        await fake.close();
      },
    };
    expect(
      (await post(`${again.url}/llm/openai/v1/chat/completions`, again.token("alice"), body)).status,
    ).toBe(402);
    expect((await admin("/admin/agents/alice/unfreeze")).status).toBe(200);
    expect(
      (await post(`${again.url}/llm/openai/v1/chat/completions`, again.token("alice"), body)).status,
    ).toBe(200);
    expect(fake.requests).toHaveLength(1);
  });
});
