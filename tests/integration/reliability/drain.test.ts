import { rmSync } from "node:fs";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { MeshClient } from "../../../generator/client/mesh-client.js";
import { drain } from "../../../services/common/http/drain.js";
import { type Harness, post, startHarness } from "../agent/harness.js";
import { type Stack as MeshStack, startStack as startMeshStack } from "../agent/mesh-stack.js";
import { type Stack as ProxyStack, startStack as startProxyStack } from "../egress-proxy/harness.js";
import { OPERATOR } from "../mesh/helpers.js";

/**
 * Issue 23 item 2: on SIGTERM each service stops taking work, lets the stream in flight finish up to a
 * deadline below stop_grace_period (services/common/ports.ts), then closes. The Docker fault family
 * sends the real SIGTERM; here each service's close path runs on loopback with a real stream in flight.
 */
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});

const streamBody = JSON.stringify({
  model: "gpt-4o-mini",
  stream: true,
  messages: [{ role: "user", content: "hi" }],
});

async function openStream(stack: ProxyStack) {
  const res = await fetch(`${stack.url}/llm/openai/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${stack.token("alice")}`, "content-type": "application/json" },
    body: streamBody,
  });
  const reader = res.body!.getReader();
  const first = new TextDecoder().decode((await reader.read()).value);
  const rest = (async () => {
    let text = first;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return text;
      text += new TextDecoder().decode(value);
    }
  })();
  return { status: res.status, rest };
}

/** A proxy stack whose close is driven by the test (its own close would close it twice). */
async function proxyStack(): Promise<ProxyStack> {
  const stack = await startProxyStack();
  cleanups.push(async () => {
    await stack.fake.close();
    rmSync(stack.dir, { recursive: true, force: true });
  });
  return stack;
}

describe("egress proxy shutdown", () => {
  it("lets an LLM stream in flight finish and settle, and refuses new connections meanwhile", async () => {
    const stack = await proxyStack();
    stack.fake.script("openai", { text: "one two three four five six", chunkDelayMs: 150 });
    const stream = await openStream(stack);
    // When the proxy is told to stop mid-stream
    const closing = stack.proxy.close(10_000);
    // Then a new call cannot get in …
    await expect(fetch(`${stack.url}/llm/openai/v1/chat/completions`, { method: "POST" })).rejects.toThrow();
    // … the stream in flight ends normally, and its cost is settled (no open reservation left behind)
    const text = await stream.rest;
    expect(text).toContain("[DONE]");
    expect(text).toContain("six");
    expect(await closing).toEqual({ forced: false });
    const db = new Database(stack.dbPath, { readonly: true });
    expect(db.prepare("SELECT state, COUNT(*) AS n FROM calls GROUP BY state").all()).toEqual([
      { state: "settled", n: 1 },
    ]);
    db.close();
  });

  it("cuts a stream that outlives the deadline, so the process exits before it is SIGKILLed", async () => {
    const stack = await proxyStack();
    stack.fake.script("openai", { fault: "never_end", afterChunks: 1, answer: { text: "a b c" } });
    const stream = await openStream(stack);
    const outcome = stream.rest.then(
      () => "ended",
      () => "cut",
    );
    expect(await stack.proxy.close(300)).toEqual({ forced: true });
    expect(await outcome).toBe("cut");
  });
});

describe("mesh shutdown", () => {
  let stack: MeshStack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  it("lets an operator chat stream in flight finish before it closes", async () => {
    stack = await startMeshStack({ alice: {} });
    stack.fake.script("openai", { text: "one two three four five", chunkDelayMs: 150 });
    const client = new MeshClient({ url: stack.meshUrl, token: OPERATOR.authorization.slice(7) });
    let closing: Promise<{ forced: boolean }> | undefined;
    const app = stack.mesh.app;
    const reply = client.chat("alice", "count", {
      onEvent: (ev) => {
        if (ev.type === "delta" && !closing) closing = drain(app.server, () => app.close(), 10_000);
      },
    });
    expect(await reply).toEqual({ ok: true, reply: "one two three four five" });
    expect(await closing).toEqual({ forced: false });
    // Closed: nothing new gets in.
    await expect(fetch(`${stack.meshUrl}/v1/agents`, { headers: OPERATOR })).rejects.toThrow();
  });
});

describe("agent shutdown", () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  const chatStream = async (agent: Harness) => {
    const res = await post(
      agent,
      "/chat",
      { message: "hi", lane: "followup", from: "operator" },
      {
        accept: "text/event-stream",
      },
    );
    return res.text();
  };

  it("completes the turn in flight within its grace and sends it to the caller", async () => {
    h = await startHarness();
    h.fake.script("openai", { text: "finishing my sentence", chunkDelayMs: 100 });
    const turn = chatStream(h);
    await h.fake.waitForRequests(1);
    const agent = h.agent;
    await agent.close(10_000);
    const events = await turn;
    expect(events).toContain('"type":"done"');
    expect(events).toContain("finishing my sentence");
  });

  it("reports a turn that outlives the grace as interrupted, not as a dropped connection", async () => {
    h = await startHarness();
    h.fake.script("openai", { fault: "never_end", afterChunks: 1, answer: { text: "never done" } });
    const turn = chatStream(h);
    await h.fake.waitForRequests(1);
    const agent = h.agent;
    await agent.close(300);
    const events = await turn;
    expect(events).toMatch(/"type":"error".*shutting down|"type":"error".*cancel/s);
  });
});
