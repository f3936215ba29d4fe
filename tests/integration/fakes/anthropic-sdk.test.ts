/**
 * The official `@anthropic-ai/sdk` client against the fake: Messages JSON and SSE, tool_use, usage,
 * error classes, the anthropic-version requirement and stream faults.
 */
import Anthropic from "@anthropic-ai/sdk";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { countTokens, type FakeProvider, startFakeProvider } from "../../fakes/llm-provider/index.js";

let fake: FakeProvider;
let client: Anthropic;

beforeEach(async () => {
  fake = await startFakeProvider();
  client = new Anthropic({ baseURL: fake.url, apiKey: "sk-ant-test", maxRetries: 0 });
});

afterEach(async () => {
  await fake.close();
});

const base = {
  model: "claude-fake-1",
  max_tokens: 256,
  system: "You are terse.",
  messages: [{ role: "user" as const, content: "Name a prime number." }],
};

describe("messages JSON", () => {
  it("answers with text content and usage counted from system + messages", async () => {
    const msg = await client.messages.create(base);
    expect(msg.content).toEqual([{ type: "text", text: "fake reply to: Name a prime number." }]);
    expect(msg.stop_reason).toBe("end_turn");
    expect(msg.usage.input_tokens).toBe(countTokens("You are terse.\nName a prime number."));
    // @anthropic-ai/sdk 1.14 sends `apiKey` as `Authorization: Bearer`, not `x-api-key` (the AI SDK uses x-api-key).
    expect(fake.requests[0]?.credential).toEqual({ source: "authorization", value: "sk-ant-test" });
    expect(fake.requests[0]?.headers["anthropic-version"]).toBeTruthy();
  });

  it("reports cache reads and writes separately from input_tokens", async () => {
    fake.script("anthropic", { text: "7", usage: { input: 1000, output: 2, cached: 800, cacheWrite: 150 } });
    const msg = await client.messages.create(base);
    expect(msg.usage).toMatchObject({
      input_tokens: 50,
      cache_read_input_tokens: 800,
      cache_creation_input_tokens: 150,
      output_tokens: 2,
    });
  });

  it("returns tool_use blocks after the text", async () => {
    fake.script("anthropic", { text: "Checking.", toolCalls: [{ name: "lookup", args: { n: 7 } }] });
    const msg = await client.messages.create(base);
    expect(msg.stop_reason).toBe("tool_use");
    expect(msg.content).toEqual([
      { type: "text", text: "Checking." },
      { type: "tool_use", id: "toolu_fake_1_0", name: "lookup", input: { n: 7 } },
    ]);
  });
});

describe("messages streaming", () => {
  it("sends the real event sequence and finalMessage() carries the usage", async () => {
    fake.script("anthropic", { text: "Seven is a prime number.", usage: { input: 40, output: 6 } });
    const stream = client.messages.stream(base);
    const types: string[] = [];
    stream.on("streamEvent", (event) => types.push(event.type));
    const msg = await stream.finalMessage();
    expect(msg.content).toEqual([{ type: "text", text: "Seven is a prime number." }]);
    expect(msg.usage).toMatchObject({ input_tokens: 40, output_tokens: 6 });
    expect(types.slice(0, 2)).toEqual(["message_start", "content_block_start"]);
    expect(types.filter((t) => t === "content_block_delta").length).toBeGreaterThan(3);
    expect(types.slice(-3)).toEqual(["content_block_stop", "message_delta", "message_stop"]);
    const raw = fake.requests[0]?.json as { stream?: boolean };
    expect(raw.stream).toBe(true);
  });

  it("streams input_json_delta fragments the SDK reassembles into the tool input", async () => {
    fake.script("anthropic", {
      toolCalls: [
        { name: "search", args: { query: "primes below 100", limit: 5 } },
        { name: "fetch", args: { url: "https://example.com" }, id: "toolu_custom" },
      ],
    });
    const msg = await client.messages.stream(base).finalMessage();
    expect(msg.stop_reason).toBe("tool_use");
    expect(msg.content).toEqual([
      {
        type: "tool_use",
        id: "toolu_fake_1_0",
        name: "search",
        input: { query: "primes below 100", limit: 5 },
      },
      { type: "tool_use", id: "toolu_custom", name: "fetch", input: { url: "https://example.com" } },
    ]);
  });

  it("throws from the SDK stream when the connection drops mid-stream", async () => {
    fake.script("anthropic", { fault: "drop_mid_stream", afterChunks: 3 });
    await expect(client.messages.stream(base).finalMessage()).rejects.toThrow();
  });

  it("surfaces an in-band overloaded_error event as an SDK error", async () => {
    fake.script("anthropic", { fault: "error_mid_stream", afterChunks: 2, status: 529 });
    const err = await client.messages
      .stream(base)
      .finalMessage()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.APIError);
    expect(String(err)).toContain("overloaded_error");
  });

  it("records the client abort of a stream that never ends", async () => {
    fake.script("anthropic", { fault: "never_end", afterChunks: 1 });
    const stream = client.messages.stream(base);
    stream.on("streamEvent", (event) => {
      if (event.type === "message_start") stream.abort();
    });
    await expect(stream.finalMessage()).rejects.toBeInstanceOf(Anthropic.APIUserAbortError);
    const [event] = await fake.waitForAborts(1);
    expect(event).toMatchObject({ route: "anthropic.messages", chunksSent: 1 });
  });
});

describe("errors", () => {
  const cases: [number, unknown, string][] = [
    [400, Anthropic.BadRequestError, "invalid_request_error"],
    [401, Anthropic.AuthenticationError, "authentication_error"],
    [402, Anthropic.PaymentRequiredError, "billing_error"],
    [403, Anthropic.PermissionDeniedError, "permission_error"],
    [404, Anthropic.NotFoundError, "not_found_error"],
    [429, Anthropic.RateLimitError, "rate_limit_error"],
    [500, Anthropic.InternalServerError, "api_error"],
    [503, Anthropic.InternalServerError, "overloaded_error"],
  ];
  it.each(cases)("status %i surfaces as the matching SDK error class", async (status, errorClass, type) => {
    fake.script("*", { error: { status } });
    const err = await client.messages.create(base).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(errorClass as typeof Anthropic.APIError);
    expect(err).toMatchObject({ status, error: { type: "error", error: { type } } });
  });

  it("refuses a request without anthropic-version with 400, like the real API", async () => {
    const res = await fetch(`${fake.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": "k" },
      body: JSON.stringify(base),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
  });

  it("refuses a missing max_tokens with a message naming the field", async () => {
    const { max_tokens: _omit, ...rest } = base;
    const err = await client.messages.create(rest as typeof base).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect(String((err as Error).message)).toContain("max_tokens");
  });

  it("reads the key from x-api-key too", async () => {
    fake.setExpectedKeys({ anthropic: "sk-ant-real" });
    const send = (key: string) =>
      fetch(`${fake.url}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": key, "anthropic-version": "2023-06-01" },
        body: JSON.stringify(base),
      });
    expect((await send("sk-ant-wrong")).status).toBe(401);
    expect((await send("sk-ant-real")).status).toBe(200);
    expect(fake.requests.map((r) => r.credential)).toEqual([
      { source: "x-api-key", value: "sk-ant-wrong" },
      { source: "x-api-key", value: "sk-ant-real" },
    ]);
  });

  it("checks the expected key", async () => {
    fake.setExpectedKeys({ anthropic: "sk-ant-real" });
    await expect(client.messages.create(base)).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
    const good = new Anthropic({ baseURL: fake.url, apiKey: "sk-ant-real", maxRetries: 0 });
    await expect(good.messages.create(base)).resolves.toMatchObject({ type: "message" });
  });
});
