import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { operatorToken, tokensEqual } from "../../../services/common/tokens.js";
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
} from "./helpers.js";

let h: Harness | undefined;
let agents: FakeAgent[] = [];
let servers: Server[] = [];
afterEach(async () => {
  await h?.close();
  if (h) removeDir(h.dir);
  h = undefined;
  for (const a of agents) await a.stop();
  for (const s of servers) await new Promise((r) => s.close(r));
  agents = [];
  servers = [];
});

async function setup(proxyAdminUrl?: string) {
  const up = await new FakeAgent("alpha").start();
  agents.push(up);
  const config = meshConfig(
    {
      alpha: { permissions: perms(), url: up.url },
      beta: { permissions: perms(), url: "http://127.0.0.1:9" },
    },
    proxyAdminUrl,
  );
  h = await startMesh(config, { limits: { health_timeout_ms: 500 } });
  return { up, config };
}

/** A loopback stand-in for the egress proxy's admin API (GET /admin/costs, operator token). */
async function proxyStub(): Promise<string> {
  const server = createServer((req, res) => {
    if (!tokensEqual(req.headers.authorization ?? "", `Bearer ${operatorToken(MASTER)}`))
      return void res.writeHead(401).end();
    if (!req.url?.startsWith("/admin/costs")) return void res.writeHead(404).end();
    const period = new URL(req.url, "http://x").searchParams.get("period");
    res
      .writeHead(200, { "content-type": "application/json" })
      .end(JSON.stringify({ period, total_usd: 1.25, agents: { alpha: { usd: 1.25 } } }));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const op = (method: "GET" | "POST", url: string, payload?: Record<string, unknown>) =>
  h!.app.inject({ method, url, headers: OPERATOR, ...(payload ? { payload } : {}) });

describe("operator API", () => {
  it("reports agents with health from their /healthz and tolerates a down agent", async () => {
    await setup();
    const res = await op("GET", "/v1/status?refresh=1");
    expect(res.statusCode).toBe(200);
    const byId = Object.fromEntries(res.json().agents.map((a: { id: string }) => [a.id, a]));
    expect(byId.alpha).toMatchObject({ role: "alpha role", health: "up", detail: "ok", pending: 0, dead: 0 });
    expect(byId.beta).toMatchObject({ health: "down", detail: "ECONNREFUSED" });
  });

  it("chats synchronously and drops fields the contract does not declare", async () => {
    const { up } = await setup();
    const res = await op("POST", "/v1/agents/alpha/chat", { message: "hi there" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ reply: "echo: hi there" });
    expect(up.chats).toEqual([{ message: "hi there", lane: "followup", from: "operator" }]);
    const down = await op("POST", "/v1/agents/beta/chat", { message: "x" });
    expect(down.json()).toMatchObject({ statusCode: 502, code: "OL_ERR_MESH_AGENT_UNAVAILABLE" });
    expect((await op("POST", "/v1/agents/ghost/chat", { message: "x" })).json().code).toBe(
      "OL_ERR_MESH_UNKNOWN_AGENT",
    );
  });

  it("relays a streamed reply as SSE over a real socket, validating every event", async () => {
    const { up } = await setup();
    const base = await h!.app.listen({ host: "127.0.0.1", port: 0 });
    const stream = async () => {
      const res = await request(`${base}/v1/agents/alpha/chat`, {
        method: "POST",
        headers: { ...OPERATOR, "content-type": "application/json", accept: "text/event-stream" },
        body: JSON.stringify({ message: "stream please", lane: "steer" }),
      });
      expect(res.headers["content-type"]).toContain("text/event-stream");
      return res.body.text();
    };
    expect(await stream()).toBe(
      'event: delta\ndata: {"type":"delta","text":"hel"}\n\nevent: delta\ndata: {"type":"delta","text":"lo"}\n\nevent: done\ndata: {"type":"done","reply":"hello"}\n\n',
    );
    up.streamFrames = [
      'event: delta\ndata: {"type":"delta","text":"a"}\n\n',
      'event: evil\ndata: {"type":"exfiltrate"}\n\n',
    ];
    const bad = await stream();
    expect(bad).toContain('event: delta\ndata: {"type":"delta","text":"a"}');
    expect(bad).toContain('event: error\ndata: {"type":"error","code":"OL_ERR_MESH_AGENT_BAD_REPLY"');
    expect(bad).not.toContain("exfiltrate");
    up.streamFrames = ['event: delta\ndata: {"type":"delta","text":"a"}\n\n'];
    expect(await stream()).toContain("stream ended without a done event");
  });

  it("queues operator messages and broadcasts, and audits them without the body", async () => {
    const { config } = await setup();
    const long = `secret-ish ${"y".repeat(500)}`;
    const msg = await op("POST", "/v1/agents/beta/messages", { payload: long, lane: "collect" });
    expect(msg.statusCode).toBe(202);
    const bc = await op("POST", "/v1/broadcast", { payload: "standup" });
    expect(Object.keys(bc.json().ids).sort()).toEqual(["alpha", "beta"]);
    const inbox = (
      await h!.app.inject({
        method: "GET",
        url: "/v1/inbox",
        headers: as("beta"),
        remoteAddress: addressOf(config, "beta"),
      })
    ).json();
    expect(
      inbox.messages.map((m: { kind: string; lane: string; from: string }) => [m.kind, m.lane, m.from]),
    ).toEqual([
      ["operator", "collect", "operator"],
      ["broadcast", "followup", "operator"],
    ]);
    const audit = (await op("GET", "/v1/audit?actor=operator")).json().entries;
    expect(audit.map((e: { action: string }) => e.action)).toEqual(["message", "broadcast"]);
    expect(JSON.stringify(audit)).not.toContain("y".repeat(200));
  });

  it("resets an agent's conversation through its /reset endpoint", async () => {
    const { up } = await setup();
    expect((await op("POST", "/v1/agents/alpha/reset")).json()).toEqual({ id: "alpha", reset: true });
    expect(up.resets).toBe(1);
    expect((await op("POST", "/v1/agents/beta/reset")).json().code).toBe("OL_ERR_MESH_AGENT_UNAVAILABLE");
  });

  it("fetches costs from the proxy's admin API with the operator token", async () => {
    await setup(await proxyStub());
    const res = await op("GET", "/v1/costs?period=month");
    expect(res.json()).toEqual({ period: "month", total_usd: 1.25, agents: { alpha: { usd: 1.25 } } });
    expect((await op("GET", "/v1/costs?period=decade")).json().code).toBe("OL_ERR_MESH_BAD_REQUEST");
  });

  it("answers 502 when the proxy admin API is down", async () => {
    await setup("http://127.0.0.1:9");
    expect((await op("GET", "/v1/costs")).json()).toMatchObject({
      statusCode: 502,
      code: "OL_ERR_MESH_PROXY_UNAVAILABLE",
    });
  });

  it("exposes Prometheus metrics to the operator only", async () => {
    const { config } = await setup();
    await op("POST", "/v1/agents/beta/messages", { payload: 1 });
    const text = (await op("GET", "/metrics")).body;
    expect(text).toContain('mesh_inbox_messages{agent="beta",state="pending"} 1');
    expect(text).toContain("mesh_agents 2");
    const agent = await h!.app.inject({
      method: "GET",
      url: "/metrics",
      headers: as("alpha"),
      remoteAddress: addressOf(config, "alpha"),
    });
    expect(agent.statusCode).toBe(403);
  });
});
