import { afterEach, describe, expect, it } from "vitest";
import {
  addressOf,
  as,
  FakeAgent,
  type Harness,
  meshConfig,
  OPERATOR,
  perms,
  removeDir,
  startMesh,
  tempDir,
  until,
} from "./helpers.js";

const fast = { retry_base_ms: 20, retry_max_ms: 100, retry_attempts: 1000 };
let harnesses: Harness[] = [];
let agents: FakeAgent[] = [];
let dirs: string[] = [];
afterEach(async () => {
  for (const h of harnesses) {
    await h.close();
    dirs.push(h.dir);
  }
  for (const a of agents) await a.stop();
  for (const d of dirs) removeDir(d);
  harnesses = [];
  agents = [];
  dirs = [];
});

async function fleet(opts: {
  agentUp: boolean;
  limits?: Record<string, number>;
  dir?: string;
  port?: number;
}) {
  const agent = await new FakeAgent("worker").start(opts.port ?? 0);
  agents.push(agent);
  if (!opts.agentUp) await agent.stop();
  const config = meshConfig({
    sender: {
      permissions: perms({
        can_message: ["worker"],
        blackboard_write: ["context/**"],
        blackboard_read: ["context/**"],
      }),
    },
    worker: { permissions: perms(), url: agent.url },
  });
  const h = await startMesh(config, { limits: { ...fast, ...opts.limits }, dir: opts.dir });
  harnesses.push(h);
  const send = async (payload: unknown) => {
    const res = await h.app.inject({
      method: "POST",
      url: "/v1/messages",
      headers: as("sender"),
      remoteAddress: addressOf(config, "sender"),
      payload: { to: "worker", payload },
    });
    expect(res.statusCode).toBe(202);
    return res.json().id as number;
  };
  return { h, agent, config, send };
}

describe("inbox delivery", () => {
  it("pushes messages to the agent with the mesh token, in order", async () => {
    const { h, agent, send } = await fleet({ agentUp: true });
    const ids = [await send("a"), await send("b"), await send("c")];
    await until(() => agent.ids.length === 3);
    expect(agent.ids).toEqual(ids);
    expect(agent.deliveries[0]?.agent).toBe("worker");
    expect(agent.deliveries.flatMap((d) => d.messages.map((m) => m.payload))).toEqual(["a", "b", "c"]);
    expect(agent.unauthorized).toBe(0);
    await until(() => h.store.inbox.depth("worker") === 0);
  });

  it("keeps retrying while the agent is down and delivers everything in order once it is back", async () => {
    const { h, agent, send } = await fleet({ agentUp: false });
    const port = agent.port;
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push(await send(i));
    await until(() => h.store.inbox.pendingBatch("worker", 1)[0]!.attempts >= 2);
    const status = (await h.app.inject({ method: "GET", url: "/v1/status", headers: OPERATOR })).json();
    expect(status.agents.find((a: { id: string }) => a.id === "worker")).toMatchObject({
      health: "down",
      pending: 5,
    });
    await agent.start(port);
    await until(() => new Set(agent.ids).size === 5);
    expect([...new Set(agent.ids)]).toEqual(ids);
    const first = agent.deliveries[0]!.messages[0]!;
    expect(first.attempts).toBeGreaterThanOrEqual(2);
  });

  it("dead-letters after the attempt budget, audits it, and still serves the messages by pull", async () => {
    const { h, agent, send, config } = await fleet({ agentUp: true, limits: { retry_attempts: 2 } });
    agent.failWith = 503;
    const id = await send("important");
    await until(() => h.store.inbox.stats().get("worker")?.dead === 1);
    const audit = (
      await h.app.inject({ method: "GET", url: "/v1/audit?actor=mesh", headers: OPERATOR })
    ).json().entries;
    expect(audit[0]).toMatchObject({ action: "inbox.dead_letter", target: "worker", detail: { count: 1 } });
    const pulled = (
      await h.app.inject({
        method: "GET",
        url: "/v1/inbox",
        headers: as("worker"),
        remoteAddress: addressOf(config, "worker"),
      })
    ).json();
    expect(pulled.messages.map((m: { id: number; payload: string }) => [m.id, m.payload])).toEqual([
      [id, "important"],
    ]);
  });

  it("loses nothing across a mesh restart: blackboard entries survive and pending messages are delivered", async () => {
    const dir = tempDir();
    dirs.push(dir);
    const first = await fleet({ agentUp: false, dir });
    const port = first.agent.port;
    const ids = [await first.send("one"), await first.send("two")];
    const put = await first.h.app.inject({
      method: "PUT",
      url: "/v1/blackboard/context/plan",
      headers: as("sender"),
      remoteAddress: addressOf(first.config, "sender"),
      payload: { value: { step: 3 } },
    });
    expect(put.statusCode).toBe(201);
    await first.h.close();

    const again = await fleet({ agentUp: true, dir, port });
    expect(again.h.store.blackboard.get("context/plan")?.value).toBe('{"step":3}');
    const read = await again.h.app.inject({
      method: "GET",
      url: "/v1/blackboard/context/plan",
      headers: as("sender"),
      remoteAddress: addressOf(again.config, "sender"),
    });
    expect(read.json()).toMatchObject({ value: { step: 3 }, version: 1 });
    await until(() => new Set(again.agent.ids).size === 2);
    expect([...new Set(again.agent.ids)]).toEqual(ids);
    const third = await again.send("three");
    expect(third).toBeGreaterThan(ids[1]!);
  });

  it("redelivers with the same id after a restart that interrupted an acknowledged push", async () => {
    const dir = tempDir();
    dirs.push(dir);
    const first = await fleet({ agentUp: true, dir });
    const id = await first.send("x");
    await until(() => first.agent.ids.includes(id));
    // Simulate a crash between the agent's 2xx and the mesh's commit: put the row back to pending.
    first.h.store.db.prepare("UPDATE inbox SET state = 'pending' WHERE id = ?").run(id);
    await first.h.close();
    const port = first.agent.port;
    await first.agent.stop();
    const again = await fleet({ agentUp: true, dir, port });
    await until(() => again.agent.ids.includes(id));
    // Same id, so the agent's dedupe turns at-least-once into effectively-once.
    expect(again.agent.ids).toEqual([id]);
  });
});
