import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type Stack, startStack } from "../egress-proxy/harness.js";
import { type Harness, runTask, startHarness, toolMessages } from "./harness.js";

/**
 * The agent against the real egress proxy (which talks to the fake provider): model calls carry the
 * agent token, the proxy swaps in the real key and meters the call; http_request goes through the
 * forward proxy and its allow-list.
 */
let stack: Stack | undefined;
let h: Harness | undefined;
let origin: Server | undefined;
afterEach(async () => {
  await h?.close();
  await stack?.close();
  if (origin) await new Promise((r) => origin?.close(r));
  h = undefined;
  stack = undefined;
  origin = undefined;
});

async function startOrigin(): Promise<string> {
  origin = createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/plain" });
    res.end(`origin saw ${req.method} ${req.url}`);
  });
  await new Promise<void>((r) => origin?.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
}

/** The agent is "alice" in the proxy's config and holds alice's derived token; the proxy's fake answers. */
async function agentOnProxy(s: Stack, over: { fallback_models?: string[] } = {}): Promise<Harness> {
  return startHarness(
    { id: "alice", proxy_url: s.url, ...over },
    { fake: s.fake, agentToken: s.token("alice") },
  );
}

describe("agent through the real egress proxy", () => {
  it("completes a three-tool task and the calls appear in the proxy's ledger", async () => {
    stack = await startStack();
    const s = stack;
    h = await agentOnProxy(s);
    s.fake.script(
      "openai",
      { toolCalls: [{ name: "write_file", args: { path: "a.txt", content: "A" } }] },
      { toolCalls: [{ name: "read_file", args: { path: "a.txt" } }] },
      { toolCalls: [{ name: "list_files", args: {} }] },
      { text: "all done", usage: { input: 1000, output: 200 } },
    );
    const task = await runTask(h, "three tools");
    expect(task).toMatchObject({ status: "completed", reply: "all done", calls: 4 });
    // The provider saw the real key, never the agent token.
    expect(s.fake.requests.every((r) => r.credential?.value === "sk-canary-openai-7f3a9c")).toBe(true);
    const costs = (await (
      await fetch(`${s.url}/admin/costs`, { headers: { authorization: `Bearer ${s.operator}` } })
    ).json()) as {
      by_model: { agent: string; model: string; calls: number }[];
    };
    expect(costs.by_model).toContainEqual(
      expect.objectContaining({ agent: "alice", model: "openai/gpt-4o-mini", calls: 4 }),
    );
  });

  it("fails over to the fallback model when the primary answers 429 through the proxy", async () => {
    stack = await startStack();
    h = await agentOnProxy(stack, { fallback_models: ["anthropic/claude-haiku-4-5"] });
    stack.fake.script("openai", { error: { status: 429, headers: { "retry-after": "30" } } });
    stack.fake.script("anthropic", { text: "fallback here" });
    const task = await runTask(h, "hi");
    expect(task).toMatchObject({
      status: "completed",
      reply: "fallback here",
      models: ["anthropic/claude-haiku-4-5"],
    });
  });

  it("a context overflow the proxy marks fails the task with the agent's code and does not fail over", async () => {
    stack = await startStack();
    h = await agentOnProxy(stack, { fallback_models: ["anthropic/claude-haiku-4-5"] });
    stack.fake.script("openai", {
      error: {
        status: 400,
        body: { error: { message: "maximum context length exceeded", code: "context_length_exceeded" } },
      },
    });
    const task = await runTask(h, "a huge task");
    expect(task).toMatchObject({ status: "failed", error: { code: "OL_ERR_AGENT_CONTEXT_OVERFLOW" } });
    expect(stack.fake.requests.filter((r) => r.route.startsWith("anthropic"))).toHaveLength(0);
  });

  it("sends http_request through the forward proxy and reports a refused host as a tool error", async () => {
    const url = await startOrigin();
    stack = await startStack((c) => {
      const alice = c.agents.alice;
      if (alice) alice.allowed_hosts = [new URL(url).host];
      c.allow_private_cidrs = ["127.0.0.0/8"];
    });
    h = await agentOnProxy(stack);
    stack.fake.script(
      "openai",
      {
        toolCalls: [
          { name: "http_request", args: { url: `${url}/hello?x=1` } },
          { name: "http_request", args: { url: "http://localhost:1/x" } },
        ],
      },
      { text: "fetched" },
    );
    const task = await runTask(h, "fetch");
    expect(task.status).toBe("completed");
    const [ok, refused] = toolMessages(stack.fake.requests.at(-1));
    expect(ok).toContain("origin saw GET /hello?x=1");
    expect(refused).toContain("OL_ERR_AGENT_HTTP_REQUEST");
  });
});
