import { describe, expect, test } from "vitest";
import { agentToken } from "../../../services/common/tokens.js";
import { TokenAuthority } from "../../../services/egress-proxy/auth.js";
import { bodyWithIncludeUsage } from "../../../services/egress-proxy/usage/request.js";
import { ResponseMeter } from "../../../services/egress-proxy/usage/response-meter.js";

/** Behaviour of the shortcuts taken for speed (bench/egress.ts): each must give what the slow path gave. */
const MASTER = "hot-path-master-key-0123456789abcdef";
const chunkOf = (...datas: string[]) => Buffer.from(datas.map((d) => `data: ${d}\n\n`).join(""));
const content = (text: string) =>
  JSON.stringify({ choices: [{ index: 0, delta: { content: text } }], usage: null });
const USAGE = JSON.stringify({ choices: [], usage: { prompt_tokens: 7, completion_tokens: 3 } });

describe("token lookup", () => {
  const tokens = new TokenAuthority(MASTER, [
    { id: "alice", tokenGeneration: 0 },
    { id: "bob", tokenGeneration: 0 },
  ]);
  test("each agent's derived token maps to that agent", () => {
    expect(tokens.agentFor(agentToken(MASTER, "alice"))).toBe("alice");
    expect(tokens.agentFor(agentToken(MASTER, "bob"))).toBe("bob");
  });
  test("near misses, other fleets' tokens and removed agents are unknown", () => {
    const alice = agentToken(MASTER, "alice");
    expect(tokens.agentFor(alice.slice(0, -1))).toBeUndefined();
    expect(tokens.agentFor(`${alice}x`)).toBeUndefined();
    expect(tokens.agentFor(alice.toUpperCase())).toBeUndefined();
    expect(tokens.agentFor(agentToken("another-master-key-0123456789abcdef", "alice"))).toBeUndefined();
    expect(tokens.agentFor(agentToken(MASTER, "carol"))).toBeUndefined();
    expect(tokens.agentFor("")).toBeUndefined();
  });
});

describe("include_usage is spliced in without re-serialising the body", () => {
  test("no stream_options: every byte the client sent is kept, the member is added", () => {
    const raw = Buffer.from('  {"model":"m",  "stream":true,"messages":[{"role":"user","content":"é ✓"}]}\n');
    const out = bodyWithIncludeUsage(raw, JSON.parse(raw.toString()));
    expect(out.toString()).toBe(
      '  {"stream_options":{"include_usage":true},"model":"m",  "stream":true,"messages":[{"role":"user","content":"é ✓"}]}\n',
    );
    expect(JSON.parse(out.toString())).toMatchObject({ stream_options: { include_usage: true }, model: "m" });
  });
  test("existing stream_options are merged (other options kept)", () => {
    const json = { model: "m", stream: true, stream_options: { include_obfuscation: false } };
    const out = JSON.parse(bodyWithIncludeUsage(Buffer.from(JSON.stringify(json)), json).toString());
    expect(out.stream_options).toEqual({ include_obfuscation: false, include_usage: true });
  });
  test("a null stream_options is replaced", () => {
    const json = { model: "m", stream: true, stream_options: null };
    const out = JSON.parse(bodyWithIncludeUsage(Buffer.from(JSON.stringify(json)), json).toString());
    expect(out.stream_options).toEqual({ include_usage: true });
  });
});

describe("filtered OpenAI streams", () => {
  test("a chunk of whole content events is forwarded as the same bytes, untouched", () => {
    const meter = new ResponseMeter("openai", "text/event-stream", true);
    const chunk = chunkOf(content("a"), content("b"));
    const out = meter.push(chunk);
    expect(out).toHaveLength(1);
    expect(out[0]).toBe(chunk);
  });
  test("the usage chunk is removed wherever the chunk boundaries fall", () => {
    const body = Buffer.from(
      `data: ${content("héllo ✓")}\n\ndata: ${content("x")}\n\ndata: ${USAGE}\n\ndata: [DONE]\n\n`,
    );
    const expected = `data: ${content("héllo ✓")}\n\ndata: ${content("x")}\n\ndata: [DONE]\n\n`;
    for (let cut = 1; cut < body.length; cut += 7) {
      const meter = new ResponseMeter("openai", "text/event-stream", true);
      const out = [...meter.push(body.subarray(0, cut)), ...meter.push(body.subarray(cut)), ...meter.end()];
      expect(Buffer.concat(out).toString()).toBe(expected);
      expect(meter.usage()).toMatchObject({ inputTokens: 7, outputTokens: 3 });
      expect(meter.complete).toBe(true);
    }
  });
  test('chunks repeating "usage":null never count as usage', () => {
    const meter = new ResponseMeter("openai", "text/event-stream", false);
    meter.push(chunkOf(content("a"), content("b"), "[DONE]"));
    expect(meter.usage()).toBeUndefined();
    expect(meter.complete).toBe(true);
  });
});

describe("Gemini snapshots", () => {
  test("only the last usageMetadata snapshot counts (parsed once, at the end)", () => {
    const meter = new ResponseMeter("gemini", "text/event-stream", false);
    const snap = (out: number, finish?: string) =>
      JSON.stringify({
        candidates: [{ content: { parts: [{ text: "x" }] }, ...(finish && { finishReason: finish }) }],
        usageMetadata: { promptTokenCount: 10, candidatesTokenCount: out },
      });
    meter.push(Buffer.from(`data: ${snap(1)}\r\n\r\n`));
    meter.push(Buffer.from(`data: ${snap(2)}\r\n\r\ndata: ${snap(5, "STOP")}\r\n\r\n`));
    meter.end();
    expect(meter.usage()).toMatchObject({ inputTokens: 10, outputTokens: 5 });
    expect(meter.complete).toBe(true);
  });
});

describe("chunks without usage markers skip decoding, and metering is unchanged", () => {
  const anthropic = [
    'event: message_start\ndata: {"type":"message_start","message":{"usage":{"input_tokens":25,"output_tokens":1}}}\n\n',
    'event: content_block_delta\ndata: {"type":"content_block_delta","delta":{"text":"the \\"message_delta\\" word"}}\n\n',
    "event: ping\ndata: {}\n\n",
    'event: message_delta\ndata: {"type": "message_delta", "usage": {"output_tokens": 15}}\n\n',
    'event: message_stop\ndata: {"type":"message_stop"}\n\n',
  ].join("");
  const gemini = [
    'data: {"candidates":[{"content":{"parts":[{"text":"a"}]}}],"usageMetadata":{"promptTokenCount":9,"candidatesTokenCount":1}}\r\n\r\n',
    'data: {"candidates":[{"content":{"parts":[{"text":"b"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":9,"candidatesTokenCount":4}}\r\n\r\n',
  ].join("");
  const openaiSpaced = [
    `data: ${content("x")}\n\n`,
    'data: {"choices": [], "usage" : { "prompt_tokens": 11, "completion_tokens": 6 }}\n\n',
    "data: [DONE]\n\n",
  ].join("");
  test.each([
    ["anthropic", anthropic, { inputTokens: 25, outputTokens: 15 }],
    ["gemini", gemini, { inputTokens: 9, outputTokens: 4 }],
    ["openai", openaiSpaced, { inputTokens: 11, outputTokens: 6 }],
  ] as const)("%s: same bytes out, same usage, whatever the chunking", (api, text, usage) => {
    const body = Buffer.from(text);
    for (let cut = 0; cut <= body.length; cut += 5) {
      for (const pieces of [[body.subarray(0, cut), body.subarray(cut)], [body]]) {
        const meter = new ResponseMeter(api, "text/event-stream", false);
        const out = [...pieces.flatMap((p) => meter.push(p)), ...meter.end()];
        expect(Buffer.concat(out).equals(body)).toBe(true);
        expect(meter.usage()).toMatchObject(usage);
        expect(meter.complete).toBe(true);
      }
    }
  });
  test("whole content events are passed as the same Buffer", () => {
    const meter = new ResponseMeter("anthropic", "text/event-stream", false);
    const chunk = Buffer.from('event: content_block_delta\ndata: {"type":"content_block_delta"}\n\n');
    expect(meter.push(chunk)[0]).toBe(chunk);
  });
});
