import { afterEach, describe, expect, it } from "vitest";
import type { RecordedRequest } from "../../fakes/llm-provider/index.js";
import { auth, chat, get, type Harness, messagesOf, post, startHarness, toolMessages } from "./harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Parses an SSE body into events. */
function parseSse(text: string): { event: string; data: Record<string, unknown> }[] {
  return text
    .split("\n\n")
    .filter((f) => f.trim())
    .map((frame) => {
      const event = /^event: (.*)$/m.exec(frame)?.[1] ?? "";
      const data = JSON.parse(/^data: (.*)$/m.exec(frame)?.[1] ?? "{}") as Record<string, unknown>;
      return { event, data };
    });
}

describe("agent server", () => {
  it("answers 401 to every route without the mesh token, health included", async () => {
    h = await startHarness();
    for (const [method, path] of [
      ["GET", "/healthz"],
      ["GET", "/status"],
      ["POST", "/tasks"],
      ["POST", "/chat"],
      ["GET", "/nope"],
    ] as const) {
      const none = await fetch(`${h.url}${path}`, { method });
      expect(none.status, path).toBe(401);
      const wrong = await fetch(`${h.url}${path}`, {
        method,
        headers: { authorization: "Bearer agent-token-for-tests-0123456789" },
      });
      expect(wrong.status, path).toBe(401);
      expect(((await wrong.json()) as { code: string }).code).toBe("OL_ERR_AGENT_UNAUTHENTICATED");
    }
    expect(h.fake.requests).toHaveLength(0);
  });

  it("reports cheap health: disk, queue, current run", async () => {
    h = await startHarness();
    const body = (await (await get(h, "/healthz")).json()) as Record<string, unknown>;
    expect(body).toMatchObject({ ok: true, state: "idle", queue_length: 0, current: null });
    expect((body.disk as { total_bytes: number }).total_bytes).toBeGreaterThan(0);
    const status = (await (await get(h, "/status")).json()) as Record<string, unknown>;
    expect(status).toMatchObject({ id: "alpha", model: "openai/gpt-4o-mini", state: "idle" });
  });

  it("returns the same task for a repeated Idempotency-Key and refuses a different body under it", async () => {
    h = await startHarness();
    const a = await post(h, "/tasks", { task: "once" }, { "idempotency-key": "k1" });
    const b = await post(h, "/tasks", { task: "once" }, { "idempotency-key": "k1" });
    expect(a.status).toBe(202);
    expect(b.status).toBe(200);
    expect(((await a.json()) as { id: string }).id).toBe(((await b.json()) as { id: string }).id);
    const c = await post(h, "/tasks", { task: "other" }, { "idempotency-key": "k1" });
    expect(c.status).toBe(409);
    expect((await get(h, "/tasks/does-not-exist")).status).toBe(404);
    expect((await post(h, "/tasks", { task: "" })).status).toBe(400);
  });

  it("streams a chat turn as SSE: deltas, tool events, then done", async () => {
    h = await startHarness();
    h.fake.script(
      "openai",
      { toolCalls: [{ name: "list_files", args: {} }] },
      { text: "hello there friend" },
    );
    const res = await fetch(`${h.url}/chat`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({ message: "hi", lane: "followup", from: "operator" }),
    });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const events = parseSse(await res.text());
    expect(events.filter((e) => e.event === "tool").map((e) => e.data.status)).toEqual(["start", "end"]);
    const text = events
      .filter((e) => e.event === "delta")
      .map((e) => e.data.text)
      .join("");
    expect(text).toBe("hello there friend");
    expect(events.at(-1)).toEqual({ event: "done", data: { type: "done", reply: "hello there friend" } });
  });

  it("injects a steer message at the next step boundary, after the running tool batch", async () => {
    h = await startHarness();
    h.fake.script(
      "openai",
      { toolCalls: [{ name: "exec", args: { command: "sleep 1; echo slept" } }] },
      (req: RecordedRequest) => ({ text: `saw: ${String(messagesOf(req).at(-1)?.content)}` }),
    );
    const turn = chat(h, "do the slow thing");
    await h.fake.waitForRequests(1);
    const steer = await post(h, "/steer", { message: "actually, use port 8080" });
    expect(((await steer.json()) as { delivered: string }).delivered).toBe("injected");
    const out = await turn;
    expect(out.reply).toBe("saw: actually, use port 8080");
    const second = messagesOf(h.fake.requests[1]);
    expect(second.at(-2)?.role).toBe("tool");
    expect(toolMessages(h.fake.requests[1])[0]).toContain("slept");
    expect(h.fake.requests).toHaveLength(2);
  });

  it("handles each inbox message id once and runs it as a turn", async () => {
    h = await startHarness();
    h.fake.script("openai", { text: "noted" });
    const delivery = {
      agent: "alpha",
      messages: [
        {
          id: 7,
          kind: "publish",
          from: "beta",
          topic: "news",
          lane: "followup",
          payload: { x: 1 },
          created_at: 1,
          attempts: 0,
        },
      ],
    };
    expect(await (await post(h, "/inbox", delivery)).json()).toEqual({ accepted: 1, duplicates: 0 });
    expect(await (await post(h, "/inbox", delivery)).json()).toEqual({ accepted: 0, duplicates: 1 });
    await h.fake.waitForRequests(1);
    expect(String(messagesOf(h.fake.requests[0]).at(-1)?.content)).toBe(
      '[event on topic news from beta] {"x":1}',
    );
    expect((await post(h, "/inbox", { ...delivery, agent: "beta" })).status).toBe(400);
  });

  it("batches collect-lane messages that arrive while a collect turn waits into one turn", async () => {
    h = await startHarness();
    const message = (id: number, lane: string, text: string) => ({
      id,
      kind: "publish",
      from: "beta",
      topic: "news",
      lane,
      payload: { text },
      created_at: 1,
      attempts: 0,
    });
    const delivery = {
      agent: "alpha",
      messages: [
        message(1, "followup", "first"),
        message(2, "collect", "c1"),
        message(3, "collect", "c2"),
        message(4, "collect", "c3"),
      ],
    };
    expect(await (await post(h, "/inbox", delivery)).json()).toEqual({ accepted: 4, duplicates: 0 });
    await h.fake.waitForRequests(2);
    // Wait until the agent has nothing running or queued, then count the model calls.
    for (;;) {
      const status = (await (await get(h, "/status")).json()) as { state: string; queue_length: number };
      if (status.state === "idle" && status.queue_length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const batched = String(messagesOf(h.fake.requests[1]).at(-1)?.content);
    for (const text of ["c1", "c2", "c3"]) expect(batched).toContain(text);
    // One turn for the followup, one for the whole collect batch: no third model call.
    expect(h.fake.requests).toHaveLength(2);
  });

  it("continues the conversation after a restart, and reset clears it", async () => {
    h = await startHarness();
    h.fake.script("openai", { text: "Nice to meet you, Bob." });
    await chat(h, "my name is Bob");
    await h.restart();
    h.fake.script("openai", { text: "You are Bob." });
    expect((await chat(h, "what is my name?")).reply).toBe("You are Bob.");
    const contents = messagesOf(h.fake.requests[1]).map((m) => String(m.content));
    expect(contents).toContain("my name is Bob");
    expect(contents).toContain("Nice to meet you, Bob.");
    expect(await (await post(h, "/reset", {})).json()).toEqual({ cleared: 4 });
    h.fake.script("openai", { text: "I don't know." });
    await chat(h, "what is my name?");
    expect(messagesOf(h.fake.requests[2]).map((m) => String(m.content))).not.toContain("my name is Bob");
  });
});
