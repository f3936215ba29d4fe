import { afterEach, describe, expect, test } from "vitest";
import { until } from "../mesh/helpers.js";
import { post, type Stack, startStack } from "./harness.js";

let stack: Stack;
afterEach(async () => {
  await stack?.close();
});

const get = (s: Stack, path: string, token?: string) =>
  fetch(`${s.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

describe("admin API", () => {
  test("/healthz is open and says nothing else", async () => {
    stack = await startStack();
    const res = await get(stack, "/healthz");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });
  test("admin routes refuse agent tokens and no token", async () => {
    stack = await startStack();
    for (const path of ["/admin/costs", "/admin/health", "/metrics"]) {
      expect((await get(stack, path)).status).toBe(401);
      expect((await get(stack, path, stack.token("alice"))).status).toBe(401);
    }
    expect(
      (
        await fetch(`${stack.url}/admin/agents/alice/freeze`, {
          method: "POST",
          headers: { authorization: `Bearer ${stack.token("alice")}` },
        })
      ).status,
    ).toBe(401);
  });
  test("costs per agent and per model, and Prometheus metrics after a call and a refusal", async () => {
    stack = await startStack();
    stack.fake.script("openai", { text: "x", usage: { input: 1_000_000, output: 0 } });
    expect(
      (
        await post(`${stack.url}/llm/openai/v1/chat/completions`, stack.token("alice"), {
          model: "gpt-4o-mini",
          messages: [{ role: "user", content: "hi" }],
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await post(`${stack.url}/llm/openai/v1/chat/completions`, stack.token("alice"), {
          model: "gpt-4o",
          messages: [{ role: "user", content: "hi" }],
        })
      ).status,
    ).toBe(403);
    const costs = (await (await get(stack, "/admin/costs", stack.operator)).json()) as {
      agents: Record<string, unknown>;
      by_model: unknown[];
    };
    expect(costs.agents.alice).toMatchObject({
      today_usd: 0.15,
      month_usd: 0.15,
      reserved_usd: 0,
      budget: { daily_usd: 10, monthly_usd: 200 },
      frozen: false,
    });
    expect(costs.agents.bob).toMatchObject({ today_usd: 0 });
    expect(costs.by_model).toEqual([
      expect.objectContaining({ agent: "alice", model: "openai/gpt-4o-mini", calls: 1, cost_usd: 0.15 }),
    ]);
    const metrics = await (await get(stack, "/metrics", stack.operator)).text();
    expect(metrics).toContain(
      'openlegion_proxy_requests_total{agent="alice",route="llm",provider="openai",model="openai/gpt-4o-mini",status="200"} 1',
    );
    expect(metrics).toContain('status="403"} 1');
    expect(metrics).toContain(
      'openlegion_proxy_tokens_total{agent="alice",provider="openai",model="openai/gpt-4o-mini",direction="input"} 1000000',
    );
    expect(metrics).toContain("openlegion_proxy_cost_usd_total");
  });
  test("freezing an unknown agent → 404", async () => {
    stack = await startStack();
    const res = await fetch(`${stack.url}/admin/agents/ghost/freeze`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.operator}` },
    });
    expect(res.status).toBe(404);
  });
  test("a per-agent in-flight cap answers 429 beyond it", async () => {
    stack = await startStack(() => {}, { limits: { maxInFlightPerAgent: 2 } });
    // The admitted calls are held at the fake until all three are decided, however slowly they arrive.
    const release = stack.fake.hold("response");
    const url = `${stack.url}/llm/openai/v1/chat/completions`;
    const body = { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] };
    let answered = 0;
    const calls = [0, 1, 2].map(() => post(url, stack.token("alice"), body).finally(() => answered++));
    await until(() => answered + stack.fake.requests.length === 3);
    release();
    const statuses = (await Promise.all(calls)).map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 429]);
  });
});
