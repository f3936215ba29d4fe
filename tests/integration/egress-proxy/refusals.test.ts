import { request } from "node:http";
import { afterEach, describe, expect, test } from "vitest";
import { agentToken } from "../../../services/common/tokens.js";
import { MASTER_KEY, post, type Stack, startStack } from "./harness.js";

let stack: Stack;
afterEach(async () => {
  await stack?.close();
});

const chat = (s: Stack) => `${s.url}/llm/openai/v1/chat/completions`;
const hello = { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] };

describe("authentication", () => {
  test.each([
    ["no token", undefined, {}],
    ["a token from another master key", agentToken("other-master-key", "alice"), {}],
    ["a token for an agent not in the config", agentToken(MASTER_KEY, "mallory"), {}],
  ])("%s → 401, nothing forwarded", async (_name, token, headers) => {
    stack = await startStack();
    const res = await post(chat(stack), token, hello, headers);
    expect(res.status).toBe(401);
    expect(JSON.parse(res.text)).toMatchObject({
      code: "OL_ERR_PROXY_UNAUTHENTICATED",
      error: { type: "authentication_error" },
    });
    expect(stack.fake.requests).toHaveLength(0);
  });
  test("x-api-key carries the token too (Anthropic SDK slot)", async () => {
    stack = await startStack();
    const res = await post(chat(stack), undefined, hello, { "x-api-key": stack.token("alice") });
    expect(res.status).toBe(200);
  });
});

describe("bad input gets a precise 4xx and the proxy keeps serving", () => {
  test.each([
    ["malformed JSON", "/llm/openai/v1/chat/completions", "{not json", 400, "OL_ERR_PROXY_BAD_BODY"],
    ["a JSON array", "/llm/openai/v1/chat/completions", "[1]", 400, "OL_ERR_PROXY_BAD_BODY"],
    ["no model", "/llm/openai/v1/chat/completions", "{}", 400, "OL_ERR_PROXY_MODEL_MISSING"],
    // issue 15: the door reads members without parsing the prompt; a body a parser would read two ways is refused.
    [
      "a duplicated model member",
      "/llm/openai/v1/chat/completions",
      '{"model":"gpt-4o-mini","messages":[],"model":"gpt-4o"}',
      400,
      "OL_ERR_PROXY_BAD_BODY",
    ],
    [
      "a bracket that does not pair",
      "/llm/openai/v1/chat/completions",
      '{"messages":[}],"model":"gpt-4o-mini"}',
      400,
      "OL_ERR_PROXY_BAD_BODY",
    ],
    [
      "an unknown provider",
      "/llm/nope/v1/chat/completions",
      JSON.stringify(hello),
      404,
      "OL_ERR_PROXY_PROVIDER_UNKNOWN",
    ],
    ["an unknown route", "/v2/whatever", "{}", 404, "OL_ERR_PROXY_ROUTE_UNKNOWN"],
    [
      "an encoded separator",
      "/llm/openai/v1/..%2fadmin",
      JSON.stringify(hello),
      400,
      "OL_ERR_PROXY_BAD_PATH",
    ],
  ])("%s", async (_name, path, body, status, code) => {
    stack = await startStack();
    const res = await post(`${stack.url}${path}`, stack.token("alice"), body);
    expect(res.status).toBe(status);
    expect(JSON.parse(res.text).code).toBe(code);
    expect(stack.fake.requests).toHaveLength(0);
    expect((await post(chat(stack), stack.token("alice"), hello)).status).toBe(200);
  });

  test("a 20 MB body → 413", async () => {
    stack = await startStack();
    const big = JSON.stringify({ ...hello, pad: "x".repeat(20 * 1024 * 1024) });
    const res = await post(chat(stack), stack.token("alice"), big).catch(() => ({ status: 413, text: "" }));
    expect(res.status).toBe(413);
    expect(stack.fake.requests).toHaveLength(0);
    expect((await post(chat(stack), stack.token("alice"), hello)).status).toBe(200);
  });

  test("oversized headers → 431", async () => {
    stack = await startStack();
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        chat(stack),
        { method: "POST", headers: { "x-big": "y".repeat(64 * 1024) } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.end("{}");
    });
    expect(status).toBe(431);
  });
});

describe("allowlists", () => {
  test("a model outside the agent's list → 403 naming it", async () => {
    stack = await startStack();
    const res = await post(chat(stack), stack.token("alice"), { ...hello, model: "gpt-4o" });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.text)).toMatchObject({
      code: "OL_ERR_PROXY_MODEL_FORBIDDEN",
      error: { model: "openai/gpt-4o" },
    });
    expect(JSON.parse(res.text).message).toContain("openai/gpt-4o");
    expect(stack.fake.requests).toHaveLength(0);
  });
  test("a Gemini model outside the list (from the URL path) → 403", async () => {
    stack = await startStack();
    const res = await post(
      `${stack.url}/llm/gemini/v1beta/models/gemini-2.5-pro:generateContent`,
      undefined,
      { contents: [] },
      { "x-goog-api-key": stack.token("alice") },
    );
    expect(res.status).toBe(403);
    expect(JSON.parse(res.text).error.model).toBe("gemini/gemini-2.5-pro");
  });
  test("API routes: allowed API gets its credential in the configured header; others → 403", async () => {
    stack = await startStack();
    const ok = await fetch(`${stack.url}/api/brave/res/v1/web/search?q=cats`, {
      headers: { authorization: `Bearer ${stack.token("alice")}` },
    });
    expect(ok.status).toBe(404); // the fake provider has no such route: what matters is what it received
    const seen = stack.fake.requests[0];
    expect(seen?.path).toBe("/brave/res/v1/web/search");
    expect(seen?.query).toEqual({ q: "cats" });
    expect(seen?.headers["x-subscription-token"]).toBe("brave-canary-key-91c2");
    expect(seen?.headers.authorization).toBeUndefined();
    const denied = await fetch(`${stack.url}/api/brave/x`, {
      headers: { authorization: `Bearer ${stack.token("bob")}` },
    });
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as { code: string }).code).toBe("OL_ERR_PROXY_API_FORBIDDEN");
    expect(stack.fake.requests).toHaveLength(1);
  });
});
