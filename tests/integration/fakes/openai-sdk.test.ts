/**
 * The official `openai` client against the fake: JSON, SSE (with and without include_usage), tool calls,
 * embeddings, error classes and stream faults.
 */
import OpenAI from "openai";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  completionTokens,
  cosine,
  countTokens,
  type FakeProvider,
  startFakeProvider,
} from "../../fakes/llm-provider/index.js";

let fake: FakeProvider;
let client: OpenAI;

beforeEach(async () => {
  fake = await startFakeProvider();
  client = new OpenAI({ baseURL: `${fake.url}/v1`, apiKey: "sk-test-key", maxRetries: 0 });
});

afterEach(async () => {
  await fake.close();
});

const ask = [{ role: "user" as const, content: "What is the capital of France?" }];

describe("chat completions JSON", () => {
  it("answers with the default reply and deterministic usage when nothing is scripted", async () => {
    const res = await client.chat.completions.create({ model: "gpt-4o-mini", messages: ask });
    const text = "fake reply to: What is the capital of France?";
    expect(res.choices[0]?.message.content).toBe(text);
    expect(res.choices[0]?.finish_reason).toBe("stop");
    expect(res.usage).toMatchObject({
      prompt_tokens: countTokens("What is the capital of France?"),
      completion_tokens: completionTokens(text, []),
    });
    expect(res.model).toBe("gpt-4o-mini");
  });

  it("serves scripted answers in FIFO order, with scripted usage and cached tokens", async () => {
    fake.script(
      "openai",
      { text: "Paris.", usage: { input: 120, output: 3, cached: 100 } },
      { text: "Second." },
    );
    const first = await client.chat.completions.create({ model: "gpt-4o", messages: ask });
    const second = await client.chat.completions.create({ model: "gpt-4o", messages: ask });
    expect(first.choices[0]?.message.content).toBe("Paris.");
    expect(first.usage).toMatchObject({ prompt_tokens: 120, completion_tokens: 3, total_tokens: 123 });
    expect(first.usage?.prompt_tokens_details?.cached_tokens).toBe(100);
    expect(second.choices[0]?.message.content).toBe("Second.");
    expect(fake.pending()).toBe(0);
  });

  it("returns tool calls with JSON arguments", async () => {
    fake.script("*", { toolCalls: [{ name: "get_weather", args: { city: "Paris" } }] });
    const res = await client.chat.completions.create({ model: "gpt-4o", messages: ask });
    const call = res.choices[0]?.message.tool_calls?.[0];
    expect(res.choices[0]?.finish_reason).toBe("tool_calls");
    expect(call?.type === "function" && call.function).toEqual({
      name: "get_weather",
      arguments: '{"city":"Paris"}',
    });
    expect(call?.id).toBe("call_fake_1_0");
  });

  it("cuts a long reply at max_completion_tokens and reports finish_reason length", async () => {
    fake.script("openai", { text: "word ".repeat(100) });
    const res = await client.chat.completions.create({
      model: "gpt-4o",
      messages: ask,
      max_completion_tokens: 5,
    });
    expect(res.choices[0]?.finish_reason).toBe("length");
    expect(res.usage?.completion_tokens).toBe(5);
    expect(res.choices[0]?.message.content).toHaveLength(20);
  });
});

describe("chat completions streaming", () => {
  it("splits content into several chunks and sends the usage chunk when include_usage is set", async () => {
    fake.script("openai", { text: "The capital of France is Paris.", usage: { input: 10, output: 8 } });
    const stream = await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: ask,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const contentChunks = chunks.filter((c) => c.choices[0]?.delta.content);
    expect(contentChunks.length).toBeGreaterThan(3);
    expect(contentChunks.map((c) => c.choices[0]?.delta.content).join("")).toBe(
      "The capital of France is Paris.",
    );
    expect(chunks[0]?.choices[0]?.delta.role).toBe("assistant");
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 8, total_tokens: 18 });
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe("stop");
  });

  it("sends no usage at all when include_usage is not set", async () => {
    const stream = await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: ask,
      stream: true,
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((c) => c.usage === undefined && c.choices.length === 1)).toBe(true);
    expect(fake.requests[0]?.body).not.toContain("stream_options");
    expect(fake.requests[0]?.stream).toBe(true);
  });

  it("streams tool-call deltas that the SDK reassembles", async () => {
    fake.script("openai", {
      text: "Let me check.",
      toolCalls: [
        { name: "get_weather", args: { city: "Paris", unit: "celsius" } },
        { name: "get_time", args: { zone: "Europe/Paris" }, id: "call_custom" },
      ],
    });
    const stream = client.chat.completions.stream({
      model: "gpt-4o",
      messages: ask,
      stream_options: { include_usage: true },
    });
    const done = await stream.finalChatCompletion();
    const message = done.choices[0]?.message;
    expect(message?.content).toBe("Let me check.");
    expect(done.choices[0]?.finish_reason).toBe("tool_calls");
    const calls = message?.tool_calls?.map((c) =>
      c.type === "function" ? [c.id, c.function.name, JSON.parse(c.function.arguments)] : [],
    );
    expect(calls).toEqual([
      ["call_fake_1_0", "get_weather", { city: "Paris", unit: "celsius" }],
      ["call_custom", "get_time", { zone: "Europe/Paris" }],
    ]);
    expect(done.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it("throws from the SDK stream when the connection drops mid-stream", async () => {
    fake.script("openai", {
      fault: "drop_mid_stream",
      afterChunks: 2,
      answer: { text: "one two three four five six" },
    });
    // The cut waits until we have read both chunks (see hold): otherwise the SDK may never hand them out.
    const cut = fake.hold("drop");
    const stream = await client.chat.completions.create({ model: "gpt-4o", messages: ask, stream: true });
    const seen: string[] = [];
    await expect(async () => {
      for await (const chunk of stream) {
        seen.push(chunk.choices[0]?.delta.content ?? "");
        if (seen.length === 2) cut();
      }
    }).rejects.toThrow();
    expect(seen).toHaveLength(2);
    expect(fake.aborted).toEqual([]);
  });

  it("surfaces an in-band error event after HTTP 200 as an SDK APIError", async () => {
    fake.script("openai", { fault: "error_mid_stream", afterChunks: 2, status: 503 });
    const stream = await client.chat.completions.create({ model: "gpt-4o", messages: ask, stream: true });
    const err = await (async () => {
      for await (const _chunk of stream) {
        // drain
      }
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect(String(err)).toContain("overloaded");
  });

  it("records the client abort of a stream that never ends", async () => {
    fake.script("openai", { fault: "never_end", afterChunks: 2 });
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: "gpt-4o", messages: ask, stream: true },
      { signal: controller.signal },
    );
    let received = 0;
    // The SDK ends (or throws from) the iteration once aborted; either way the fake must see the client leave.
    await (async () => {
      for await (const _chunk of stream) {
        received++;
        if (received === 2) controller.abort();
      }
    })().catch(() => undefined);
    expect(received).toBe(2);
    const [event] = await fake.waitForAborts(1);
    expect(event).toMatchObject({ requestId: 1, route: "openai.chat", chunksSent: 2, headersSent: true });
  });
});

describe("errors", () => {
  const cases: [number, unknown][] = [
    [400, OpenAI.BadRequestError],
    [401, OpenAI.AuthenticationError],
    [402, OpenAI.APIError],
    [403, OpenAI.PermissionDeniedError],
    [404, OpenAI.NotFoundError],
    [429, OpenAI.RateLimitError],
    [500, OpenAI.InternalServerError],
    [503, OpenAI.InternalServerError],
  ];
  it.each(cases)("status %i surfaces as the matching SDK error class", async (status, errorClass) => {
    fake.script("openai", { error: { status, headers: { "retry-after": "7" } } });
    const err = await client.chat.completions
      .create({ model: "gpt-4o", messages: ask })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(errorClass as typeof OpenAI.APIError);
    expect(err).toMatchObject({ status });
    if (!(err instanceof OpenAI.APIError)) throw err;
    expect(err.headers?.get("retry-after")).toBe("7");
    expect(err.error).toMatchObject({ type: expect.any(String) });
  });

  it("passes a scripted error body through verbatim", async () => {
    const body = {
      error: { message: "quota", type: "insufficient_quota", code: "insufficient_quota", param: null },
    };
    fake.script("openai", { error: { status: 429, body } });
    const err = await client.chat.completions
      .create({ model: "gpt-4o", messages: ask })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect((err as InstanceType<typeof OpenAI.RateLimitError>).code).toBe("insufficient_quota");
  });

  it("refuses a wrong key with 401 and records the key it got", async () => {
    fake.setExpectedKeys({ openai: "sk-real" });
    await expect(client.chat.completions.create({ model: "gpt-4o", messages: ask })).rejects.toBeInstanceOf(
      OpenAI.AuthenticationError,
    );
    expect(fake.requests[0]?.credential).toEqual({ source: "authorization", value: "sk-test-key" });
    const good = new OpenAI({ baseURL: `${fake.url}/v1`, apiKey: "sk-real", maxRetries: 0 });
    const res = await good.chat.completions.create({ model: "gpt-4o", messages: ask });
    expect(res.choices[0]?.message.content).toContain("fake reply to:");
  });

  it("rejects stream_options without stream, like the real API, without eating the script", async () => {
    fake.script("openai", { text: "kept" });
    const err = await client.chat.completions
      .create({ model: "gpt-4o", messages: ask, stream_options: { include_usage: true } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(fake.pending("openai")).toBe(1);
  });
});

describe("embeddings and models", () => {
  it("returns deterministic unit vectors where shared words mean higher similarity", async () => {
    const res = await client.embeddings.create({
      model: "text-embedding-3-small",
      input: ["my cat is called Whiskerino", "what is my cat called", "quarterly revenue grew strongly"],
    });
    const [a, b, c] = res.data.map((d) => d.embedding);
    expect(a).toHaveLength(256);
    expect(cosine(a ?? [], b ?? [])).toBeGreaterThan(cosine(a ?? [], c ?? []) + 0.3);
    expect(res.usage.prompt_tokens).toBe(
      countTokens("my cat is called Whiskerino") +
        countTokens("what is my cat called") +
        countTokens("quarterly revenue grew strongly"),
    );
    const again = await client.embeddings.create({
      model: "text-embedding-3-small",
      input: "my cat is called Whiskerino",
    });
    expect(again.data[0]?.embedding).toEqual(a);
    expect(fake.requests[0]?.json).toMatchObject({ encoding_format: "base64" });
  });

  it("honours dimensions and float encoding", async () => {
    const res = await client.embeddings.create({
      model: "text-embedding-3-small",
      input: "hello",
      dimensions: 512,
      encoding_format: "float",
    });
    const v = res.data[0]?.embedding ?? [];
    expect(v).toHaveLength(512);
    expect(Math.hypot(...v)).toBeCloseTo(1, 5);
  });

  it("fails embeddings from their own queue, leaving chat answers alone", async () => {
    fake.script("embeddings", { error: { status: 500 } });
    fake.script("*", { text: "chat still works" });
    await expect(
      client.embeddings.create({ model: "text-embedding-3-small", input: "x" }),
    ).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    const res = await client.chat.completions.create({ model: "gpt-4o", messages: ask });
    expect(res.choices[0]?.message.content).toBe("chat still works");
  });

  it("lists models", async () => {
    const page = await client.models.list();
    expect(page.data.map((m) => m.id)).toContain("gpt-4o-mini");
  });
});
