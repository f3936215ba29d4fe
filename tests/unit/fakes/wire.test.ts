/**
 * The renderers are pure: a reply in, the exact frames out. These pin the shapes SDKs and the proxy's
 * usage tap depend on.
 */
import { describe, expect, it } from "vitest";
import { parseAnswer } from "../../fakes/llm-provider/answers.js";
import { renderMessages } from "../../fakes/llm-provider/anthropic.js";
import { errorBody } from "../../fakes/llm-provider/errors.js";
import { renderGenerate } from "../../fakes/llm-provider/gemini.js";
import { parseChat, renderChat } from "../../fakes/llm-provider/openai.js";
import type { Plan } from "../../fakes/llm-provider/sse.js";
import { buildReply } from "../../fakes/llm-provider/tokens.js";
import type { ChatRequest } from "../../fakes/llm-provider/wire.js";

const prompt = { text: "hi", lastUser: "hi" };
const meta = { requestId: 7, created: 1_700_000_000 };
const request = (over: Partial<ChatRequest> = {}): ChatRequest => ({
  model: "m",
  stream: true,
  prompt,
  includeUsage: false,
  sse: true,
  ...over,
});

const chunksOf = (plan: Plan): string[] => (plan.kind === "stream" ? plan.chunks : []);

describe("OpenAI chat", () => {
  it("ends with finish_reason, then the usage chunk only when asked, then [DONE]", () => {
    const reply = buildReply({ text: "a b", usage: { input: 3, output: 2 } }, prompt, "call");
    const without = chunksOf(renderChat(reply, request(), meta));
    const withUsage = chunksOf(renderChat(reply, request({ includeUsage: true }), meta));
    expect(without.at(-1)).toBe("data: [DONE]\n\n");
    expect(without.some((c) => c.includes('"usage"'))).toBe(false);
    expect(withUsage.length).toBe(without.length + 1);
    const usageChunk = JSON.parse(withUsage.at(-2)?.slice(6) ?? "{}");
    expect(usageChunk).toMatchObject({
      choices: [],
      usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
    });
    for (const c of withUsage) expect(c).toMatch(/^data: .+\n\n$/s);
  });

  it("sends the tool call head (index, id, name) before its argument fragments", () => {
    const reply = buildReply({ toolCalls: [{ name: "f", args: { x: 1 } }] }, prompt, "call_fake_7");
    const deltas = chunksOf(renderChat(reply, request(), meta))
      .slice(0, -1)
      .map((c) => JSON.parse(c.slice(6)).choices[0]?.delta.tool_calls?.[0])
      .filter(Boolean);
    expect(deltas[0]).toEqual({
      index: 0,
      id: "call_fake_7_0",
      type: "function",
      function: { name: "f", arguments: "" },
    });
    expect(
      deltas
        .slice(1)
        .map((d) => d.function.arguments)
        .join(""),
    ).toBe('{"x":1}');
  });

  it("names the missing field in a 400", () => {
    expect(parseChat({ model: "m" })).toEqual({ ok: false, message: expect.stringMatching(/^messages: /) });
  });
});

describe("Anthropic messages", () => {
  it("emits the event sequence with input usage at the start and output usage at the end", () => {
    const reply = buildReply({ text: "yo", usage: { input: 9, output: 4 } }, prompt, "toolu");
    const frames = chunksOf(renderMessages(reply, request(), meta));
    const events = frames.map((f) => /^event: (\w+)/.exec(f)?.[1]);
    expect(events).toEqual([
      "message_start",
      "content_block_start",
      "ping",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    const start = JSON.parse(frames[0]?.split("data: ")[1] ?? "{}");
    const delta = JSON.parse(frames[5]?.split("data: ")[1] ?? "{}");
    expect(start.message.usage).toMatchObject({ input_tokens: 9, output_tokens: 1 });
    expect(delta).toMatchObject({ delta: { stop_reason: "end_turn" }, usage: { output_tokens: 4 } });
  });
});

describe("Gemini", () => {
  it("uses CRLF SSE frames and puts finishReason on the last chunk only", () => {
    const reply = buildReply({ text: "one two" }, prompt, "c");
    const frames = chunksOf(renderGenerate(reply, request(), meta));
    expect(frames.every((f) => f.startsWith("data: ") && f.endsWith("\r\n\r\n"))).toBe(true);
    const finish = frames.map((f) => JSON.parse(f.slice(6)).candidates[0].finishReason);
    expect(finish).toEqual([undefined, "STOP"]);
  });
});

describe("error bodies", () => {
  it.each([400, 401, 402, 403, 404, 413, 429, 500, 503, 529, 418])(
    "status %i has every provider's shape",
    (status) => {
      expect(errorBody("openai", status, "r")).toMatchObject({
        error: { message: expect.any(String), type: expect.any(String) },
      });
      expect(errorBody("anthropic", status, "r")).toMatchObject({
        type: "error",
        error: { type: expect.any(String) },
        request_id: "r",
      });
      expect(errorBody("gemini", status, "r")).toMatchObject({
        error: { code: status, status: expect.any(String) },
      });
    },
  );
});

describe("answer validation", () => {
  it.each([
    [{ text: 3 }, /at text/],
    [{ error: { status: 302 } }, /at error\.status/],
    [{ fault: "drop_mid_stream" }, /at afterChunks/],
    [{ fault: "never_end", answer: { error: { status: 500 } } }, /at answer/],
    [{ text: "x", extra: true }, /extra/],
    ["hello", /\(root\)/],
  ])("%j is refused with its path", (value, message) => {
    expect(() => parseAnswer(value, "#0")).toThrow(message);
  });
});
