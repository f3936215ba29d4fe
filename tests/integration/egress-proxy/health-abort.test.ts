import { request } from "node:http";
import pino from "pino";
import { afterEach, describe, expect, test } from "vitest";
import { KEYS, post, type Stack, startStack } from "./harness.js";

let stack: Stack;
afterEach(async () => {
  await stack?.close();
});

const hello = { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] };
const chat = (s: Stack) => `${s.url}/llm/openai/v1/chat/completions`;

describe("model health", () => {
  test.each([
    [429, 3600],
    [402, 3600],
    [401, 3600],
    [403, 3600],
    [408, 60],
    [500, 60],
    [503, 60],
  ])(
    "upstream %i passes through, then the model answers 503 for %i s without contacting upstream",
    async (status, seconds) => {
      let now = Date.parse("2026-05-05T10:00:00Z");
      stack = await startStack(() => {}, { now: () => now });
      stack.fake.script("openai", { error: { status } });
      const first = await post(chat(stack), stack.token("alice"), hello);
      expect(first.status).toBe(status);
      const second = await post(chat(stack), stack.token("bob"), { ...hello, model: "gpt-4o" });
      expect(second.status).toBe(200); // another model is unaffected
      const cooled = await post(chat(stack), stack.token("alice"), hello);
      expect(cooled.status).toBe(503);
      expect(cooled.headers.get("retry-after")).toBe(String(seconds));
      expect(cooled.headers.get("x-openlegion-cooldown")).toContain("openai/gpt-4o-mini");
      expect(JSON.parse(cooled.text)).toMatchObject({
        code: "OL_ERR_PROXY_MODEL_COOLDOWN",
        error: { retryable: true, model: "openai/gpt-4o-mini" },
      });
      expect(stack.fake.requests).toHaveLength(2);
      now += seconds * 1000 + 1;
      expect((await post(chat(stack), stack.token("alice"), hello)).status).toBe(200);
    },
  );

  test.each([400, 404])("upstream %i does not cool the model", async (status) => {
    stack = await startStack();
    stack.fake.script("openai", { error: { status } });
    expect((await post(chat(stack), stack.token("alice"), hello)).status).toBe(status);
    expect((await post(chat(stack), stack.token("alice"), hello)).status).toBe(200);
  });

  test("a header timeout is a 504 that cools the model; cooldowns show in /admin/health", async () => {
    stack = await startStack(() => {}, { limits: { upstreamHeadersTimeoutMs: 200 } });
    stack.fake.script("openai", { fault: "slow_first_byte", delayMs: 2000 });
    const res = await post(chat(stack), stack.token("alice"), hello);
    expect(res.status).toBe(504);
    expect(JSON.parse(res.text).code).toBe("OL_ERR_PROXY_UPSTREAM_TIMEOUT");
    const health = (await (
      await fetch(`${stack.url}/admin/health`, { headers: { authorization: `Bearer ${stack.operator}` } })
    ).json()) as { models: unknown[] };
    expect(health.models).toEqual([
      expect.objectContaining({
        model: "openai/gpt-4o-mini",
        cooling: true,
        retry_after_s: 60,
        reason: "timeout",
      }),
    ]);
    // no usage was reported and nothing was sent: the reservation is released, the call is still recorded
    expect(stack.proxy.context.store.recentCalls(1)[0]).toMatchObject({
      status: null,
      cost_nusd: 0,
      error_code: "OL_ERR_PROXY_UPSTREAM_TIMEOUT",
    });
  });
});

describe("client abort", () => {
  test("a client that disconnects mid-stream aborts the upstream; what was sent is metered", async () => {
    stack = await startStack();
    stack.fake.script("openai", {
      text: "one two three four five six seven eight nine ten",
      chunkDelayMs: 150,
      usage: { input: 10, output: 10 },
    });
    await new Promise<void>((resolve, reject) => {
      const req = request(
        chat(stack),
        {
          method: "POST",
          headers: { authorization: `Bearer ${stack.token("alice")}`, "content-type": "application/json" },
        },
        (res) => {
          res.once("data", () => {
            req.destroy();
            resolve();
          });
        },
      );
      req.on("error", () => {});
      req.on("close", resolve);
      req.end(JSON.stringify({ ...hello, stream: true }));
      setTimeout(() => reject(new Error("no data")), 5000);
    });
    const aborts = await stack.fake.waitForAborts(1);
    expect(aborts[0]?.chunksSent).toBeLessThan(10);
    await expect.poll(() => stack.proxy.context.store.recentCalls(1)[0]?.state).toBe("settled");
    const row = stack.proxy.context.store.recentCalls(1)[0];
    expect(row).toMatchObject({ status: 200, usage_source: "estimated" });
    expect(Number(row?.cost_nusd)).toBeGreaterThan(0);
    expect(Number(row?.cost_nusd)).toBeLessThanOrEqual(Number(row?.reserved_nusd));
    // an aborting client does not cool the model
    expect((await post(chat(stack), stack.token("alice"), hello)).status).toBe(200);
  });
});

describe("canary sweep", () => {
  test("provider keys never appear in responses, error bodies, logs or ledger rows", async () => {
    const lines: string[] = [];
    const logger = pino({ level: "debug" }, { write: (line: string) => void lines.push(line) });
    stack = await startStack(() => {}, { logger });
    const seen: string[] = [];
    // A failing upstream that echoes whatever it received, including the injected key.
    stack.fake.script("openai", (r) => ({
      error: { status: 500, body: { error: { message: `bad key ${r.headers.authorization}` } } },
    }));
    seen.push((await post(chat(stack), stack.token("alice"), hello)).text);
    seen.push((await post(chat(stack), stack.token("alice"), hello)).text); // cooled: proxy's own 503
    stack.fake.script("anthropic", { fault: "drop_mid_stream", afterChunks: 2 });
    const dropped = await post(
      `${stack.url}/llm/anthropic/v1/messages`,
      undefined,
      { model: "claude-haiku-4-5", max_tokens: 5, stream: true, messages: [{ role: "user", content: "x" }] },
      { "x-api-key": stack.token("alice") },
    ).catch((error: Error) => ({ text: String(error) }));
    seen.push(dropped.text);
    seen.push(
      (
        await post(
          `${stack.url}/llm/gemini/v1beta/models/gemini-2.5-flash:generateContent`,
          stack.token("alice"),
          { contents: [] },
        )
      ).text,
    );
    seen.push(
      await (
        await fetch(`${stack.url}/admin/costs`, { headers: { authorization: `Bearer ${stack.operator}` } })
      ).text(),
    );
    seen.push(
      await (
        await fetch(`${stack.url}/metrics`, { headers: { authorization: `Bearer ${stack.operator}` } })
      ).text(),
    );
    const ledger = JSON.stringify(stack.proxy.context.store.recentCalls(100));
    expect(seen[0]).toContain("bad key Bearer [redacted]");
    const everything = [...seen, ledger, lines.join("\n")].join("\n");
    for (const key of Object.values(KEYS)) expect(everything).not.toContain(key);
    expect(lines.join("\n")).not.toContain(stack.token("alice"));
  });
});
