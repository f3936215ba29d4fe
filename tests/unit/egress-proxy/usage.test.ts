import { describe, expect, test } from "vitest";
import {
  anthropicUsage,
  geminiUsage,
  openAiUsage,
  usageFromJsonBody,
} from "../../../services/egress-proxy/usage/extract.js";
import { requestFacts, withIncludeUsage } from "../../../services/egress-proxy/usage/request.js";
import { ResponseMeter } from "../../../services/egress-proxy/usage/response-meter.js";
import { SseSplitter } from "../../../services/egress-proxy/usage/sse.js";

const sse = (...datas: string[]) => datas.map((d) => `data: ${d}\n\n`).join("");

describe("usage readers", () => {
  test("OpenAI: cached tokens are a subset of prompt tokens", () => {
    expect(
      openAiUsage({
        prompt_tokens: 1200,
        completion_tokens: 300,
        prompt_tokens_details: { cached_tokens: 1024 },
      }),
    ).toEqual({
      inputTokens: 1200,
      cachedInputTokens: 1024,
      cacheWriteTokens: 0,
      outputTokens: 300,
    });
  });
  test("OpenAI Responses: usage nested under response", () => {
    const body = {
      response: {
        usage: { input_tokens: 36, input_tokens_details: { cached_tokens: 4 }, output_tokens: 87 },
      },
    };
    expect(usageFromJsonBody("openai", body)).toMatchObject({
      inputTokens: 36,
      cachedInputTokens: 4,
      outputTokens: 87,
    });
  });
  test("Anthropic: cache reads and writes are added to input_tokens", () => {
    expect(
      anthropicUsage({
        input_tokens: 25,
        cache_read_input_tokens: 1800,
        cache_creation_input_tokens: 100,
        output_tokens: 15,
      }),
    ).toEqual({
      inputTokens: 1925,
      cachedInputTokens: 1800,
      cacheWriteTokens: 100,
      outputTokens: 15,
    });
  });
  test("Gemini: thoughts are billed as output on top of candidates", () => {
    expect(
      geminiUsage({
        promptTokenCount: 1204,
        cachedContentTokenCount: 200,
        candidatesTokenCount: 8,
        thoughtsTokenCount: 96,
      }),
    ).toEqual({
      inputTokens: 1204,
      cachedInputTokens: 200,
      cacheWriteTokens: 0,
      outputTokens: 104,
    });
  });
  test("garbage is ignored, not guessed", () => {
    expect(openAiUsage({ prompt_tokens: "12" })).toBeUndefined();
    expect(usageFromJsonBody("anthropic", [1, 2])).toBeUndefined();
  });
});

describe("SSE splitter", () => {
  test("keeps raw bytes and handles CRLF split across chunks", () => {
    const s = new SseSplitter();
    const text = 'event: a\r\ndata: {"x":1}\r\n\r\n: comment\r\ndata: two\r\n\r\n';
    const events = [...s.push(text.slice(0, 13)), ...s.push(text.slice(13, 27)), ...s.push(text.slice(27))];
    expect(events.map((e) => [e.event, e.data])).toEqual([
      ["a", '{"x":1}'],
      [undefined, "two"],
    ]);
    expect(events.map((e) => e.raw).join("")).toBe(text);
  });
  test("a final event without a blank line is completed by flush", () => {
    const s = new SseSplitter();
    expect(s.push("data: last")).toEqual([]);
    expect(s.flush().map((e) => e.data)).toEqual(["last"]);
  });
});

describe("ResponseMeter", () => {
  const chunk = (usage: unknown, choices: unknown[] = [{ delta: { content: "hi" } }]) =>
    JSON.stringify({ choices, usage });

  test("OpenAI stream: last non-null usage wins; the injected usage chunk is dropped byte-exactly", () => {
    const body = sse(
      chunk(null),
      chunk(null),
      chunk({ prompt_tokens: 10, completion_tokens: 3 }, []),
      "[DONE]",
    );
    const meter = new ResponseMeter("openai", "text/event-stream", true);
    const out = [
      ...meter.push(Buffer.from(body.slice(0, 50))),
      ...meter.push(Buffer.from(body.slice(50))),
      ...meter.end(),
    ];
    expect(Buffer.concat(out).toString()).toBe(sse(chunk(null), chunk(null), "[DONE]"));
    expect(meter.usage()).toMatchObject({ inputTokens: 10, outputTokens: 3 });
    expect(meter.complete).toBe(true);
  });
  test("pass-through mode forwards the exact chunks", () => {
    const body = Buffer.from(sse(chunk({ prompt_tokens: 1, completion_tokens: 1 }, []), "[DONE]"));
    const meter = new ResponseMeter("openai", "text/event-stream; charset=utf-8", false);
    expect(meter.push(body)).toEqual([body]);
  });
  test("Anthropic: message_delta overwrites (never adds) cumulative counts", () => {
    const events = [
      `event: message_start\ndata: ${JSON.stringify({ type: "message_start", message: { usage: { input_tokens: 25, cache_read_input_tokens: 5, output_tokens: 1 } } })}\n\n`,
      `event: message_delta\ndata: ${JSON.stringify({ type: "message_delta", usage: { output_tokens: 10 } })}\n\n`,
      `event: message_delta\ndata: ${JSON.stringify({ type: "message_delta", usage: { output_tokens: 15 } })}\n\n`,
      `event: message_stop\ndata: {"type":"message_stop"}\n\n`,
    ];
    const meter = new ResponseMeter("anthropic", "text/event-stream", false);
    for (const e of events) meter.push(Buffer.from(e));
    meter.end();
    expect(meter.usage()).toEqual({
      inputTokens: 30,
      cachedInputTokens: 5,
      cacheWriteTokens: 0,
      outputTokens: 15,
    });
    expect(meter.complete).toBe(true);
  });
  test("Gemini CRLF stream: the last cumulative snapshot wins", () => {
    const frame = (c: number, done: boolean) =>
      `data: ${JSON.stringify({ candidates: [{ finishReason: done ? "STOP" : undefined }], usageMetadata: { promptTokenCount: 7, candidatesTokenCount: c } })}\r\n\r\n`;
    const meter = new ResponseMeter("gemini", "text/event-stream", false);
    meter.push(Buffer.from(frame(2, false) + frame(5, false)));
    meter.push(Buffer.from(frame(9, true)));
    meter.end();
    expect(meter.usage()).toMatchObject({ inputTokens: 7, outputTokens: 9 });
  });
  test("JSON: usage read after the body; an oversized body is read from its tail", () => {
    const meter = new ResponseMeter("openai", "application/json", false);
    const big = `{"data":"${"x".repeat(17 * 1024 * 1024)}","usage":{"prompt_tokens":8,"completion_tokens":0}}`;
    for (let i = 0; i < big.length; i += 1 << 20) meter.push(Buffer.from(big.slice(i, i + (1 << 20))));
    meter.end();
    expect(meter.usage()).toMatchObject({ inputTokens: 8 });
  });
});

describe("request facts", () => {
  test("OpenAI chat stream without include_usage is marked for injection; the body keeps other options", () => {
    const facts = requestFacts(
      "openai",
      "v1/chat/completions",
      { model: "m", stream: true, max_tokens: 50, n: 2 },
      400,
      1000,
    );
    expect(facts).toEqual({
      model: "m",
      stream: true,
      inputTokens: 100,
      outputTokens: 100,
      injectUsage: true,
    });
    expect(withIncludeUsage({ model: "m", stream_options: { foo: 1 } })).toEqual({
      model: "m",
      stream_options: { foo: 1, include_usage: true },
    });
  });
  test("Gemini model comes from the path; embeddings reserve no output", () => {
    expect(
      requestFacts("gemini", "v1beta/models/gemini-2.5-flash:streamGenerateContent", {}, 8, 1000),
    ).toMatchObject({
      model: "gemini-2.5-flash",
      stream: true,
      outputTokens: 1000,
    });
    expect(requestFacts("openai", "v1/embeddings", { model: "e" }, 8, 1000).outputTokens).toBe(0);
  });
});
