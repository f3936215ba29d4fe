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

let harnesses: Harness[] = [];
let agents: FakeAgent[] = [];
let dirs: string[] = [];
afterEach(async () => {
  for (const h of harnesses) await h.close();
  for (const a of agents) await a.stop();
  for (const d of dirs) removeDir(d);
  harnesses = [];
  agents = [];
  dirs = [];
});

/** A sender and a worker whose agent server starts down; `up()` brings it back on the same port. */
async function fleet(limits: Record<string, number>, dir = tempDir()) {
  dirs.push(dir);
  const agent = await new FakeAgent("worker").start();
  agents.push(agent);
  const port = agent.port;
  await agent.stop();
  const config = meshConfig({
    sender: { permissions: perms({ can_message: ["worker"] }) },
    worker: { permissions: perms(), url: agent.url },
  });
  const boot = async () => {
    const h = await startMesh(config, { limits, dir });
    harnesses.push(h);
    return h;
  };
  const h = await boot();
  const send = async (mesh: Harness, payload: unknown) => {
    const res = await mesh.app.inject({
      method: "POST",
      url: "/v1/messages",
      headers: as("sender"),
      remoteAddress: addressOf(config, "sender"),
      payload: { to: "worker", payload },
    });
    expect(res.statusCode).toBe(202);
    return res.json().id as number;
  };
  return { h, agent, boot, send, up: () => agent.start(port) };
}

const dead = (h: Harness) => h.store.inbox.stats().get("worker")?.dead ?? 0;

describe("dead-lettered messages", () => {
  it("are pushed again, in order, once the dead-letter probe sees the agent healthy", async () => {
    const f = await fleet({ retry_base_ms: 5, retry_max_ms: 10, retry_attempts: 2, dead_probe_ms: 50 });
    const ids = [await f.send(f.h, "a"), await f.send(f.h, "b")];
    await until(() => dead(f.h) === 2);
    await f.up();
    await until(() => new Set(f.agent.ids).size === 2);
    expect([...new Set(f.agent.ids)]).toEqual(ids);
    await until(() => f.h.store.inbox.depth("worker") === 0);
    const audit = (
      await f.h.app.inject({ method: "GET", url: "/v1/audit?actor=mesh", headers: OPERATOR })
    ).json();
    expect(audit.entries.map((e: { action: string }) => e.action)).toContain("inbox.redeliver");
  });

  it("are pushed again on the operator's POST /v1/agents/:id/redeliver, which is audited", async () => {
    const f = await fleet({
      retry_base_ms: 5,
      retry_max_ms: 10,
      retry_attempts: 2,
      dead_probe_ms: 3_600_000,
    });
    const id = await f.send(f.h, "late");
    await until(() => dead(f.h) === 1);
    await f.up();
    const res = await f.h.app.inject({
      method: "POST",
      url: "/v1/agents/worker/redeliver",
      headers: OPERATOR,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ id: "worker", requeued: 1 });
    await until(() => f.agent.ids.includes(id));
    const audit = (
      await f.h.app.inject({ method: "GET", url: "/v1/audit?actor=operator", headers: OPERATOR })
    ).json();
    expect(audit.entries.at(-1)).toMatchObject({
      action: "inbox.redeliver",
      target: "worker",
      detail: { count: 1, why: "operator" },
    });
    const unknown = await f.h.app.inject({
      method: "POST",
      url: "/v1/agents/ghost/redeliver",
      headers: OPERATOR,
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe("OL_ERR_MESH_UNKNOWN_AGENT");
  });
});

describe("push backoff", () => {
  it("is persisted: a restarted mesh waits out the backoff instead of pushing at once", async () => {
    const limits = {
      retry_base_ms: 60_000,
      retry_max_ms: 60_000,
      retry_attempts: 100,
      dead_probe_ms: 3_600_000,
    };
    const f = await fleet(limits);
    const id = await f.send(f.h, "x");
    await until(() => (f.h.store.inbox.pendingBatch("worker", 1)[0]?.attempts ?? 0) >= 1);
    const row = f.h.store.inbox.pendingBatch("worker", 1)[0]!;
    expect(row.next_attempt_at).toBeGreaterThan(Date.now() + 30_000);
    await f.h.close();

    await f.up();
    const again = await f.boot();
    await new Promise((r) => setTimeout(r, 300));
    expect(f.agent.ids).toEqual([]); // still backing off after the restart
    // The status probe sees the agent healthy: the backoff is skipped and the message goes out.
    const status = await again.app.inject({ method: "GET", url: "/v1/status?refresh=1", headers: OPERATOR });
    expect(status.json().agents.find((a: { id: string }) => a.id === "worker").health).toBe("up");
    await until(() => f.agent.ids.includes(id));
  });
});
