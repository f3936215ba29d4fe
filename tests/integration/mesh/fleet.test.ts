import { afterEach, describe, expect, it } from "vitest";
import { meshToken } from "../../../services/common/tokens.js";
import {
  addressOf,
  as,
  FakeAgent,
  type Harness,
  MASTER,
  meshConfig,
  OPERATOR,
  perms,
  removeDir,
  startMesh,
  until,
} from "./helpers.js";

let h: Harness | undefined;
let agents: FakeAgent[] = [];
afterEach(async () => {
  await h?.close();
  if (h) removeDir(h.dir);
  h = undefined;
  for (const a of agents) await a.stop();
  agents = [];
});

/** alice may message bob; bob may message nobody; carol receives from bob's publishes. */
async function fleet() {
  const config = meshConfig({
    alice: { permissions: perms({ can_message: ["bob"] }) },
    bob: { permissions: perms({ can_message: ["carol"], can_publish: ["news/**"] }) },
    carol: { permissions: perms({ can_subscribe: ["news/**"] }) },
  });
  h = await startMesh(config);
  const call = (
    agent: string,
    url: string,
    method: "GET" | "POST" = "GET",
    payload?: Record<string, unknown>,
  ) => h!.app.inject({ method, url, headers: as(agent), remoteAddress: addressOf(config, agent), payload });
  return { config, call };
}

describe("list_agents and read_agent_history (GET /v1/agents, /v1/agents/:id/history)", () => {
  it("lists every agent with role and whom the caller may message, and nothing secret", async () => {
    const { call } = await fleet();
    const res = await call("alice", "/v1/agents");
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      agents: [
        { id: "alice", role: "alice role", can_message: false, self: true },
        { id: "bob", role: "bob role", can_message: true, self: false },
        { id: "carol", role: "carol role", can_message: false, self: false },
      ],
    });
    expect(res.body).not.toMatch(/subnet|url|permissions|127\.0\.0\.1/);
    const op = await h!.app.inject({ url: "/v1/agents", headers: OPERATOR });
    expect(op.json().agents.every((a: { can_message: boolean }) => a.can_message)).toBe(true);
  });

  it("shows an agent's traffic to a caller allowed to message it, newest first and paged; denies others", async () => {
    const { call } = await fleet();
    await call("alice", "/v1/messages", "POST", { to: "bob", payload: { n: 1 } });
    await call("bob", "/v1/messages", "POST", { to: "carol", payload: { n: 2 } });
    await call("bob", "/v1/messages", "POST", { to: "carol", payload: { big: "x".repeat(5000) } });

    const page = await call("alice", "/v1/agents/bob/history?limit=2");
    expect(page.statusCode).toBe(200);
    const body = page.json();
    expect(body.entries.map((e: { direction: string; to: string }) => `${e.direction}:${e.to}`)).toEqual([
      "out:carol",
      "out:carol",
    ]);
    expect(body.entries[0]).toMatchObject({ from: "bob", kind: "message", truncated: true });
    expect(body.entries[0].preview).toHaveLength(2000);
    const older = await call("alice", `/v1/agents/bob/history?limit=2&before=${body.next_before}`);
    expect(older.json()).toMatchObject({
      entries: [{ direction: "in", from: "alice", to: "bob", preview: '{"n":1}' }],
      next_before: null,
    });

    // carol may not message bob: 403 with the rule, audited; bob reads his own; the operator reads any.
    const denied = await call("carol", "/v1/agents/bob/history");
    expect(denied.statusCode).toBe(403);
    expect(denied.json().code).toBe("OL_ERR_MESH_DENIED");
    expect((await call("bob", "/v1/agents/bob/history")).statusCode).toBe(200);
    expect(
      (await h!.app.inject({ url: "/v1/agents/carol/history", headers: OPERATOR })).json().entries,
    ).toHaveLength(2);
    const audit = await h!.app.inject({ url: "/v1/audit?actor=carol", headers: OPERATOR });
    expect(audit.json().entries).toContainEqual(
      expect.objectContaining({ action: "history.read", target: "bob", outcome: "denied" }),
    );
    const bad = await call("alice", "/v1/agents/bob/history?limit=500");
    expect(bad.statusCode).toBe(400);
  });
});

describe("per-agent mesh tokens", () => {
  it("calls each agent with its own token: every agent accepts its pushes, none accepts another's token", async () => {
    const a = await new FakeAgent("alice").start();
    const b = await new FakeAgent("bob").start();
    agents.push(a, b);
    const config = meshConfig({
      alice: { permissions: perms({ can_message: ["bob"] }), url: a.url },
      bob: { permissions: perms({ can_message: ["alice"] }), url: b.url },
    });
    h = await startMesh(config);
    const send = (from: string, to: string) =>
      h!.app.inject({
        method: "POST",
        url: "/v1/messages",
        headers: as(from),
        remoteAddress: addressOf(config, from),
        payload: { to, payload: { hi: to } },
      });
    expect((await send("alice", "bob")).statusCode).toBe(202);
    expect((await send("bob", "alice")).statusCode).toBe(202);
    await until(() => a.ids.length === 1 && b.ids.length === 1);
    expect(a.unauthorized + b.unauthorized).toBe(0);
    expect(meshToken(MASTER, "alice")).not.toBe(meshToken(MASTER, "bob"));
    // bob's copy of his mesh token is useless against alice's API.
    const res = await fetch(`${a.url}/inbox`, {
      method: "POST",
      headers: { authorization: `Bearer ${meshToken(MASTER, "bob")}` },
      body: "{}",
    });
    expect(res.status).toBe(401);
  });
});
