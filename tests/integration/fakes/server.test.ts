/**
 * Server behaviour shared by all wire formats: recording, scripting, limits, faults and client aborts.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type FakeProvider, startFakeProvider } from "../../fakes/llm-provider/index.js";

let fake: FakeProvider;

beforeEach(async () => {
  fake = await startFakeProvider({ maxBodyBytes: 64 * 1024 });
});

afterEach(async () => {
  await fake.close();
});

const chat = (content: string, init: RequestInit = {}, extra: Record<string, unknown> = {}) =>
  fetch(`${fake.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer sk-x", "x-trace": "t-1" },
    body: JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content }], ...extra }),
    ...init,
  });

const contentOf = async (res: Response): Promise<unknown> =>
  ((await res.json()) as { choices: { message: { content: unknown } }[] }).choices[0]?.message.content;

describe("recording", () => {
  it("records method, path, query, every header lowercased, raw and parsed body", async () => {
    await fetch(`${fake.url}/groq/v1/chat/completions?trace=1`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: "Bearer sk-x", "X-Agent": "a1" },
      body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] }),
    });
    const [rec] = fake.requests;
    expect(rec).toMatchObject({
      id: 1,
      provider: "openai",
      route: "openai.chat",
      method: "POST",
      path: "/groq/v1/chat/completions",
      query: { trace: "1" },
      json: { model: "m" },
      credential: { source: "authorization", value: "sk-x" },
      status: 200,
      answer: "default",
      stream: false,
    });
    expect(rec?.headers).toMatchObject({
      "x-agent": "a1",
      authorization: "Bearer sk-x",
      "content-type": "application/json",
    });
    expect(rec?.rawHeaders).toContain("X-Agent");
    expect(rec?.body).toBe(JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] }));
  });

  it("reset() clears records, queues and ids", async () => {
    fake.script("*", { text: "x" });
    await chat("one");
    fake.script("*", { text: "y" });
    fake.reset();
    expect(fake.requests).toEqual([]);
    expect(fake.pending()).toBe(0);
    await chat("two");
    expect(fake.requests[0]?.id).toBe(1);
  });

  it("waitForRequests rejects with a count when nothing arrives", async () => {
    await expect(fake.waitForRequests(1, 50)).rejects.toThrow("expected 1 requests, got 0");
  });
});

describe("scripting", () => {
  it("prefers the provider's own queue over '*'", async () => {
    fake.script("*", { text: "from star" });
    fake.script("openai", { text: "from openai" });
    expect(await contentOf(await chat("a"))).toBe("from openai");
    expect(await contentOf(await chat("b"))).toBe("from star");
    expect(await contentOf(await chat("c"))).toBe("fake reply to: c");
  });

  it("falls back to a sticky default, the provider's before '*', without consuming it", async () => {
    fake.setDefault("*", { text: "star default" });
    fake.setDefault("openai", { text: "openai default" });
    fake.script("*", { text: "queued" });
    expect(await contentOf(await chat("a"))).toBe("queued");
    expect(await contentOf(await chat("b"))).toBe("openai default");
    expect(await contentOf(await chat("c"))).toBe("openai default");
    fake.setDefault("openai", undefined);
    expect(await contentOf(await chat("d"))).toBe("star default");
    fake.reset();
    expect(await contentOf(await chat("e"))).toBe("fake reply to: e");
  });

  it("calls function entries with the recorded request", async () => {
    fake.script("openai", (req) => ({ text: `saw ${(req.json as { model: string }).model} #${req.id}` }));
    expect(await contentOf(await chat("a"))).toBe("saw gpt-4o #1");
  });

  it("rejects an invalid answer with the field that is wrong, and queues nothing", () => {
    expect(() => fake.script("openai", { text: "ok" }, { fault: "slow_first_byte", delayMs: -1 })).toThrow(
      /#1 at delayMs/,
    );
    expect(() => fake.script("openai", { toolCalls: [{ name: "bad name", args: {} }] })).toThrow(
      /toolCalls\.0\.name/,
    );
    expect(() => fake.script("embeddings", { text: "no" })).toThrow(/embeddings/);
    expect(fake.pending()).toBe(0);
  });

  it("a function returning an invalid answer yields a 500 naming the problem", async () => {
    fake.script("openai", () => ({ error: { status: 200 } }));
    const res = await chat("a");
    expect(res.status).toBe(500);
    expect(JSON.stringify(await res.json())).toContain("error.status");
  });
});

describe("limits and bad input", () => {
  it("answers 413 past the body cap and keeps serving", async () => {
    const res = await chat("x".repeat(100 * 1024));
    expect(res.status).toBe(413);
    expect(fake.requests[0]).toMatchObject({ status: 413, body: "", bodyBytes: expect.any(Number) });
    expect((await chat("small")).status).toBe(200);
  });

  it("answers 400 for a body that is not JSON and 404 for an unknown route", async () => {
    const bad = await chat("", { body: "{not json" });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { type: "invalid_request_error" } });
    const unknown = await fetch(`${fake.url}/v2/whatever`, { method: "POST", body: "{}" });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { message: "Invalid URL (POST /v2/whatever)" } });
  });

  it("keeps the control API off unless enabled", async () => {
    expect((await fetch(`${fake.url}/_fake/requests`)).status).toBe(404);
  });
});

describe("faults", () => {
  it("slow_first_byte delays, then answers the wrapped answer", async () => {
    fake.script("openai", { fault: "slow_first_byte", delayMs: 30, answer: { error: { status: 503 } } });
    expect((await chat("a")).status).toBe(503);
  });

  it("records a client that gives up while waiting for the first byte", async () => {
    fake.script("openai", { fault: "slow_first_byte", delayMs: 60_000 });
    const controller = new AbortController();
    const pending = chat("a", { signal: controller.signal }).catch((e: unknown) => e);
    await fake.waitForRequests(1);
    controller.abort();
    expect(await pending).toMatchObject({ name: "AbortError" });
    const [event] = await fake.waitForAborts(1);
    expect(event).toMatchObject({ requestId: 1, headersSent: false, chunksSent: 0 });
  });

  it("never_end on a JSON answer sends half the body and hangs until the client leaves", async () => {
    fake.script("openai", { fault: "never_end", afterChunks: 1 });
    const controller = new AbortController();
    const res = await chat("a", { signal: controller.signal });
    expect(res.status).toBe(200);
    const reader = res.body?.getReader();
    const first = await reader?.read();
    expect(new TextDecoder().decode(first?.value)).toMatch(/^\{"id":"chatcmpl-fake-1"/);
    controller.abort();
    const [event] = await fake.waitForAborts(1);
    expect(event).toMatchObject({ chunksSent: 1, headersSent: true });
  });

  it("close() ends hanging responses", async () => {
    fake.script("openai", { fault: "never_end" });
    const res = await chat("a", {}, { stream: true });
    const reading = res.text().catch((e: unknown) => e);
    await fake.close();
    expect(await reading).toBeInstanceOf(Error);
    fake = await startFakeProvider();
  });

  it("chunkDelayMs spaces the events but delivers them all", async () => {
    fake.script("openai", { text: "a b c d", chunkDelayMs: 5 });
    const text = await (await chat("a", {}, { stream: true })).text();
    expect(text.match(/^data: /gm)).toHaveLength(7);
  });

  it("serves 50 concurrent streams, each with its own answer", async () => {
    for (let i = 0; i < 50; i++) fake.script("openai", { text: `answer ${i}` });
    const bodies = await Promise.all(
      Array.from({ length: 50 }, (_, i) => chat(`q${i}`, {}, { stream: true }).then((r) => r.text())),
    );
    const answers = bodies
      .map((b) => (b.match(/"content":"(\d+)"/) ?? [])[1])
      .sort((a, b) => Number(a) - Number(b));
    expect(answers).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
    expect(fake.aborted).toEqual([]);
  });
});
