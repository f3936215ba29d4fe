/**
 * Gemini over plain fetch: generateContent JSON, streamGenerateContent as SSE (`?alt=sse`) and as a JSON
 * array, usageMetadata snapshots, functionCall parts and key checks.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { countTokens, type FakeProvider, startFakeProvider } from "../../fakes/llm-provider/index.js";

let fake: FakeProvider;

beforeEach(async () => {
  fake = await startFakeProvider({ expectedKeys: { gemini: "AIza-real" } });
});

afterEach(async () => {
  await fake.close();
});

const body = {
  systemInstruction: { parts: [{ text: "Be brief." }] },
  contents: [{ role: "user", parts: [{ text: "Why is the sky blue?" }] }],
};

const call = (method: string, query = "", key: string | null = "AIza-real", payload: unknown = body) =>
  fetch(`${fake.url}/v1beta/models/gemini-2.5-flash:${method}${query}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(key !== null && { "x-goog-api-key": key }) },
    body: JSON.stringify(payload),
  });

interface GeminiChunk {
  candidates: { content: { parts: { text?: string; functionCall?: unknown }[] }; finishReason?: string }[];
  usageMetadata: { promptTokenCount: number; candidatesTokenCount: number; totalTokenCount: number };
}

describe("generateContent", () => {
  it("answers JSON with usageMetadata counted from the prompt", async () => {
    const res = await call("generateContent");
    expect(res.status).toBe(200);
    const json = (await res.json()) as GeminiChunk;
    expect(json.candidates[0]?.content.parts).toEqual([{ text: "fake reply to: Why is the sky blue?" }]);
    expect(json.candidates[0]?.finishReason).toBe("STOP");
    const prompt = countTokens("Be brief.\nWhy is the sky blue?");
    expect(json.usageMetadata).toMatchObject({ promptTokenCount: prompt });
    expect(json.usageMetadata.totalTokenCount).toBe(prompt + json.usageMetadata.candidatesTokenCount);
    expect(fake.requests[0]).toMatchObject({
      route: "gemini.generate",
      credential: { source: "x-goog-api-key" },
    });
  });

  it("returns functionCall parts", async () => {
    fake.script("gemini", {
      toolCalls: [{ name: "get_weather", args: { city: "Oslo" } }],
      usage: { input: 9, output: 4 },
    });
    const json = (await (await call("generateContent")).json()) as GeminiChunk;
    expect(json.candidates[0]?.content.parts).toEqual([
      { functionCall: { name: "get_weather", args: { city: "Oslo" } } },
    ]);
    expect(json.usageMetadata).toMatchObject({
      promptTokenCount: 9,
      candidatesTokenCount: 4,
      totalTokenCount: 13,
    });
  });

  it("accepts the key as ?key= and refuses a wrong or missing key with 401", async () => {
    expect((await call("generateContent", "?key=AIza-real", null)).status).toBe(200);
    const wrong = await call("generateContent", "", "AIza-wrong");
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: { code: 401, status: "UNAUTHENTICATED" } });
    expect((await call("generateContent", "", null)).status).toBe(401);
    expect(fake.requests[0]?.credential).toEqual({ source: "query-key", value: "AIza-real" });
  });

  it("scripted errors use Gemini's error shape", async () => {
    fake.script("gemini", { error: { status: 429 } });
    const res = await call("generateContent");
    expect(res.status).toBe(429);
    expect(await res.json()).toEqual({
      error: { code: 429, message: expect.any(String), status: "RESOURCE_EXHAUSTED" },
    });
  });

  it("rejects a body without contents with 400 INVALID_ARGUMENT", async () => {
    const res = await call("generateContent", "", "AIza-real", { contents: [] });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { status: "INVALID_ARGUMENT" } });
  });
});

describe("streamGenerateContent", () => {
  it("streams SSE frames separated by CRLF with cumulative usage, exact on the last one", async () => {
    fake.script("gemini", { text: "Rayleigh scattering of sunlight.", usage: { input: 12, output: 7 } });
    const res = await call("streamGenerateContent", "?alt=sse");
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const raw = await res.text();
    expect(raw).toContain("\r\n\r\n");
    expect(raw).not.toContain("[DONE]");
    const chunks = raw
      .split("\r\n\r\n")
      .filter((f) => f.startsWith("data: "))
      .map((f) => JSON.parse(f.slice(6)) as GeminiChunk);
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks.map((c) => c.candidates[0]?.content.parts[0]?.text).join("")).toBe(
      "Rayleigh scattering of sunlight.",
    );
    expect(chunks.every((c) => c.usageMetadata.promptTokenCount === 12)).toBe(true);
    const last = chunks.at(-1);
    expect(last?.candidates[0]?.finishReason).toBe("STOP");
    expect(last?.usageMetadata).toMatchObject({ candidatesTokenCount: 7, totalTokenCount: 19 });
    expect(fake.requests[0]).toMatchObject({ route: "gemini.stream", stream: true, query: { alt: "sse" } });
  });

  it("streams a JSON array without alt=sse", async () => {
    fake.script("gemini", { text: "a b c", toolCalls: [{ name: "f", args: {} }] });
    const res = await call("streamGenerateContent");
    expect(res.headers.get("content-type")).toContain("application/json");
    const chunks = JSON.parse(await res.text()) as GeminiChunk[];
    expect(chunks.length).toBe(4);
    expect(chunks.at(-1)?.candidates[0]?.content.parts).toEqual([{ functionCall: { name: "f", args: {} } }]);
  });

  it("ends a JSON-array stream with an in-band error element that keeps the array valid", async () => {
    fake.script("gemini", { fault: "error_mid_stream", afterChunks: 1, status: 503 });
    const res = await call("streamGenerateContent");
    expect(res.status).toBe(200);
    const items = JSON.parse(await res.text()) as unknown[];
    expect(items.at(-1)).toMatchObject({ error: { code: 503, status: "UNAVAILABLE" } });
  });

  it("answers the HTTP error when error_mid_stream hits a non-streaming call", async () => {
    fake.script("gemini", { fault: "error_mid_stream", afterChunks: 1, status: 503 });
    expect((await call("generateContent")).status).toBe(503);
  });

  it("cuts the body when the connection drops", async () => {
    fake.script("gemini", { fault: "drop_mid_stream", afterChunks: 1 });
    const res = await call("streamGenerateContent", "?alt=sse");
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
  });
});
