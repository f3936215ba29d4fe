import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import OpenAI from "openai";
import { afterEach, describe, expect, test } from "vitest";
import { agentToken } from "../../../services/common/tokens.js";
import { KEYS, MASTER_KEY, post, type Stack, startStack } from "./harness.js";

/** Findings 1–8 of issue 14, each through the real proxy on loopback. */
let stack: Stack;
let extra: Server | undefined;
afterEach(async () => {
  await stack?.close();
  await new Promise<void>((resolve) => (extra ? extra.close(() => resolve()) : resolve()));
  extra = undefined;
});

const hello = { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] };
const get = async (url: string, token: string, headers: Record<string, string> = {}) => {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}`, ...headers } });
  return { status: res.status, headers: res.headers, text: await res.text() };
};
const code = (text: string) => (JSON.parse(text) as { code: string }).code;

/** A raw request (fetch and the URL parser would normalise the path before it left). */
function rawGet(url: string, path: string, token: string) {
  const { hostname, port } = new URL(url);
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request({ hostname, port, path, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let text = "";
      res.on("data", (c) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** A loopback HTTP server standing in for an `apis:` entry; `handle` decides each answer. */
async function startApi(handle: Parameters<typeof createServer>[1]): Promise<string> {
  extra = createServer(handle);
  await new Promise<void>((resolve) => extra?.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(extra.address() as AddressInfo).port}`;
}

describe("1: the LLM door is an endpoint allowlist", () => {
  test.each([
    ["GET", "/llm/openai/v1/files"],
    ["GET", "/llm/openai/v1/responses/resp_of_another_agent"],
    ["GET", "/llm/openai/v1/anything"],
    ["HEAD", "/llm/openai/v1/models/gpt-4o"],
    ["POST", "/llm/openai/v1/fine_tuning/jobs"],
    ["DELETE", "/llm/openai/v1/files/file-1"],
  ])("%s %s → 403 naming the rule, nothing forwarded", async (method, path) => {
    stack = await startStack();
    const res = await fetch(`${stack.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${stack.token("alice")}`, "content-type": "application/json" },
      ...(method === "POST" ? { body: JSON.stringify({ model: "gpt-4o-mini" }) } : {}),
    });
    expect(res.status).toBe(403);
    if (method !== "HEAD") {
      const body = await res.text();
      expect(code(body)).toBe("OL_ERR_PROXY_ENDPOINT_FORBIDDEN");
      expect(body).toContain("inference endpoints");
    }
    expect(stack.fake.requests).toHaveLength(0);
  });

  test("the models list (real OpenAI SDK) shows only the agent's models", async () => {
    stack = await startStack();
    const client = new OpenAI({ apiKey: stack.token("bob"), baseURL: `${stack.url}/llm/openai/v1` });
    const ids = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids).toEqual(["gpt-4o"]);
    expect(stack.fake.requests.map((r) => r.route)).toEqual(["openai.models"]);
  });

  test("an endpoint granted in llm_endpoints passes, for that agent only", async () => {
    stack = await startStack((c) => {
      c.agents.alice!.llm_endpoints = ["GET v1/files"];
    });
    expect((await get(`${stack.url}/llm/openai/v1/files`, stack.token("alice"))).status).toBe(404); // the fake's
    expect(stack.fake.requests).toHaveLength(1);
    expect((await get(`${stack.url}/llm/openai/v1/files`, stack.token("bob"))).status).toBe(403);
  });

  test("a provider-prefixed model name (LiteLLM style) is accepted and sent bare", async () => {
    stack = await startStack();
    const res = await post(`${stack.url}/llm/openai/v1/chat/completions`, stack.token("alice"), {
      ...hello,
      model: "openai/gpt-4o-mini",
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(stack.fake.requests[0]?.body ?? "{}").model).toBe("gpt-4o-mini");
  });
});

describe("2: work not billed by tokens", () => {
  const search = { model: "gpt-4o-mini", input: "hi", tools: [{ type: "web_search_preview" }] };

  test("server-side tools are refused unless granted", async () => {
    stack = await startStack();
    for (const tools of [[{ type: "web_search_preview" }], [{ type: "code_interpreter" }]]) {
      const res = await post(`${stack.url}/llm/openai/v1/responses`, stack.token("alice"), {
        ...search,
        tools,
      });
      expect(res.status).toBe(403);
      expect(code(res.text)).toBe("OL_ERR_PROXY_SERVER_TOOL_FORBIDDEN");
    }
    const gemini = await post(
      `${stack.url}/llm/gemini/v1beta/models/gemini-2.5-flash:generateContent`,
      stack.token("alice"),
      { contents: [{ parts: [{ text: "hi" }] }], tools: [{ googleSearch: {} }] },
    );
    expect(gemini.status).toBe(403);
    expect(stack.fake.requests).toHaveLength(0);
  });

  test("granted tools are priced per call and reserved: a budget too small for them refuses the call", async () => {
    stack = await startStack((c) => {
      c.agents.alice!.server_tools = ["web_search_preview"];
      c.agents.alice!.budget = { daily_usd: 0.2, monthly_usd: 200 };
      c.pricing["openai/gpt-4o-mini"] = {
        input_per_mtok: 0.15,
        output_per_mtok: 0.6,
        tool_call_usd: { web_search_preview: 0.1 },
      };
    });
    // 5 calls reserved by default × $0.10 > $0.20; max_tool_calls: 1 fits and is charged $0.10.
    const over = await post(`${stack.url}/llm/openai/v1/responses`, stack.token("alice"), search);
    expect(over.status).toBe(402);
    expect(code(over.text)).toBe("OL_ERR_PROXY_BUDGET_EXCEEDED");
    const ok = await post(`${stack.url}/llm/openai/v1/chat/completions`, stack.token("alice"), {
      ...hello,
      tools: [{ type: "web_search_preview" }],
      max_tool_calls: 1,
    });
    expect(ok.status).toBe(200);
    const costs = await get(`${stack.url}/admin/costs`, stack.operator);
    const alice = (JSON.parse(costs.text) as { agents: Record<string, { today_usd: number }> }).agents.alice;
    expect(alice?.today_usd).toBeGreaterThanOrEqual(0.1); // the tool call, plus a few tokens
    expect(alice?.today_usd).toBeLessThan(0.101);
  });
});

describe("3: credentials never come back in a response", () => {
  test("a provider header echoing the key is scrubbed, on success and on error", async () => {
    stack = await startStack();
    for (const status of [200, 401]) {
      stack.fake.script("openai", (r) =>
        status === 200
          ? { text: "ok" }
          : { error: { status, headers: { "x-echo-key": r.headers.authorization ?? "" } } },
      );
      const res = await post(`${stack.url}/llm/openai/v1/chat/completions`, stack.token("alice"), hello);
      expect(res.status).toBe(status);
      for (const [, value] of res.headers) expect(value).not.toContain(KEYS.openai);
      expect(res.text).not.toContain(KEYS.openai);
    }
  });

  test("a trailing-slash redirect carrying the query key is rewritten into the door, key removed", async () => {
    const api = await startApi((req, res) => {
      res.writeHead(301, {
        location: `${req.url?.replace("/trailing?", "/trailing/?")}`,
        "x-key": "brave-canary-key-91c2",
      });
      res.end(`moved ${req.url}`);
    });
    stack = await startStack((c) => {
      c.apis.brave = { base_url: `${api}/v1`, credential: "BRAVE_KEY", query: "api_key" };
    });
    const res = await fetch(`${stack.url}/api/brave/search/trailing?q=acme`, {
      headers: { authorization: `Bearer ${stack.token("alice")}` },
      redirect: "manual",
    });
    expect(res.status).toBe(301);
    expect(res.headers.get("location")).toBe("/api/brave/search/trailing/?q=acme");
    expect(res.headers.get("x-key")).toBe("[redacted]");
    expect(await res.text()).not.toContain(KEYS.brave);
  });

  test("a redirect to another host carrying the key is dropped, not followed", async () => {
    let hits = 0;
    const api = await startApi((req, res) => {
      hits++;
      res.writeHead(302, { location: `https://elsewhere.example/x?${req.url?.split("?")[1]}` });
      res.end();
    });
    stack = await startStack((c) => {
      c.apis.brave = { base_url: api, credential: "BRAVE_KEY", query: "api_key" };
    });
    const res = await fetch(`${stack.url}/api/brave/go`, {
      headers: { authorization: `Bearer ${stack.token("alice")}` },
      redirect: "manual",
    });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBeNull();
    expect(hits).toBe(1);
  });
});

describe("4: requests carry only what the proxy allows", () => {
  test("routing body fields and agent-chosen account headers never reach the provider", async () => {
    stack = await startStack((c) => {
      c.providers.openai!.headers = { "openai-organization": "org-from-mesh-yaml" };
    });
    const res = await post(
      `${stack.url}/llm/openai/v1/chat/completions`,
      stack.token("alice"),
      { ...hello, api_key: "sk-attacker", api_base: "http://evil", base_url: "x", custom_llm_provider: "y" },
      {
        "openai-organization": "org-attacker",
        "openai-project": "proj-attacker",
        "anthropic-beta": "x",
        "x-custom": "1",
      },
    );
    expect(res.status).toBe(200);
    const sent = stack.fake.requests[0]!;
    const body = JSON.parse(sent.body) as Record<string, unknown>;
    for (const field of ["api_key", "api_base", "base_url", "custom_llm_provider"])
      expect(body).not.toHaveProperty(field);
    expect(sent.headers["openai-organization"]).toBe("org-from-mesh-yaml");
    expect(sent.headers).not.toHaveProperty("openai-project");
    expect(sent.headers).not.toHaveProperty("anthropic-beta");
    expect(sent.headers).not.toHaveProperty("x-custom");
  });
});

describe("5: path hygiene on /api/<name>/", () => {
  test.each([
    "/api/brave/..;/admin",
    "/api/brave/%252e%252e/admin",
    "/api/brave//evil.example/x",
    "/api/brave/@evil.example/x",
    "/api/brave/a\\..\\b",
    "/api/brave/a%09b",
    "/api/brave/%2e%2e/%2e%2e/admin",
    "/api/brave/a/../../x",
  ])("%s → 400, nothing forwarded", async (path) => {
    stack = await startStack();
    const res = await rawGet(stack.url, path, stack.token("alice"));
    expect(res.status).toBe(400);
    expect(code(res.text)).toBe("OL_ERR_PROXY_BAD_PATH");
    expect(stack.fake.requests).toHaveLength(0);
  });
});

describe("6: the kill switch stops every door", () => {
  test("a frozen agent is refused on the models list, /api, the forward proxy and CONNECT", async () => {
    stack = await startStack();
    await fetch(`${stack.url}/admin/agents/alice/freeze`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.operator}` },
    });
    const token = stack.token("alice");
    expect(code((await get(`${stack.url}/llm/openai/v1/models`, token)).text)).toBe(
      "OL_ERR_PROXY_AGENT_FROZEN",
    );
    expect(code((await get(`${stack.url}/api/brave/search`, token)).text)).toBe("OL_ERR_PROXY_AGENT_FROZEN");
    const { hostname, port } = new URL(stack.url);
    const status = (method: string, path: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request({
          hostname,
          port,
          method,
          path,
          headers: { "proxy-authorization": `Bearer ${token}` },
        });
        req.on("response", (res) => resolve(res.statusCode ?? 0));
        req.on("connect", (res) => resolve(res.statusCode ?? 0));
        req.on("error", reject);
        req.end();
      });
    expect(await status("GET", "http://example.com/")).toBe(402);
    expect(await status("CONNECT", "example.com:443")).toBe(402);
    expect(stack.fake.requests).toHaveLength(0);
  });
});

describe("7: tokens are bound to the agent's subnet", () => {
  test("another agent's token replayed from this address is refused", async () => {
    stack = await startStack((c) => {
      c.agents.bob!.subnet = "10.231.0.16/28";
    });
    const res = await post(`${stack.url}/llm/openai/v1/chat/completions`, stack.token("bob"), {
      ...hello,
      model: "gpt-4o",
    });
    expect(res.status).toBe(403);
    expect(code(res.text)).toBe("OL_ERR_PROXY_WRONG_SUBNET");
    expect(stack.fake.requests).toHaveLength(0);
  });
});

describe("8: one agent cannot take a model away from the others", () => {
  test.each([429, 401])("a %i provoked by one agent cools the model for that agent only", async (status) => {
    stack = await startStack((c) => {
      c.agents.bob!.models = ["openai/gpt-4o-mini"];
    });
    const chat = `${stack.url}/llm/openai/v1/chat/completions`;
    stack.fake.script("openai", { error: { status } });
    expect((await post(chat, stack.token("alice"), hello)).status).toBe(status);
    expect(code((await post(chat, stack.token("alice"), hello)).text)).toBe("OL_ERR_PROXY_MODEL_COOLDOWN");
    expect((await post(chat, stack.token("bob"), hello)).status).toBe(200);
  });

  test("a provider-wide signal (5xx, 402) cools the model for everyone", async () => {
    stack = await startStack((c) => {
      c.agents.bob!.models = ["openai/gpt-4o-mini"];
    });
    stack.fake.script("openai", { error: { status: 402 } });
    expect(
      (await post(`${stack.url}/llm/openai/v1/chat/completions`, stack.token("alice"), hello)).status,
    ).toBe(402);
    const bob = await post(`${stack.url}/llm/openai/v1/chat/completions`, stack.token("bob"), hello);
    expect(code(bob.text)).toBe("OL_ERR_PROXY_MODEL_COOLDOWN");
  });
});

describe("9: token generations at the proxy", () => {
  test("after a bump the old token is refused and the new one accepted", async () => {
    stack = await startStack((c) => {
      c.agents.alice!.token_generation = 1;
    });
    const url = `${stack.url}/llm/openai/v1/chat/completions`;
    expect((await post(url, agentToken(MASTER_KEY, "alice"), hello)).status).toBe(401);
    expect((await post(url, agentToken(MASTER_KEY, "alice", 1), hello)).status).toBe(200);
  });
});
