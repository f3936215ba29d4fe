import { Pool, request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { agentToken } from "../../../services/common/tokens.js";
import { ManualClock } from "../../../services/mesh/clock.js";
import {
  addressOf,
  as,
  type Harness,
  MASTER,
  meshConfig,
  OPERATOR,
  perms,
  removeDir,
  startMesh,
} from "./helpers.js";

const config = meshConfig({
  alpha: { permissions: perms({ blackboard_read: ["context/*"], blackboard_write: ["context/*"] }) },
  beta: { permissions: perms({ blackboard_read: ["context/*"] }) },
});
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  if (h) removeDir(h.dir);
  h = undefined;
});

const audit = async (harness: Harness) =>
  (await harness.app.inject({ method: "GET", url: "/v1/audit", headers: OPERATOR })).json().entries as {
    actor: string;
    code: string;
    outcome: string;
    detail: Record<string, unknown>;
  }[];

describe("identity", () => {
  it("refuses a missing or unknown token with 401 and audits it", async () => {
    h = await startMesh(config);
    const missing = await h.app.inject({
      method: "GET",
      url: "/v1/blackboard/context/x",
      remoteAddress: addressOf(config, "alpha"),
    });
    expect(missing.statusCode).toBe(401);
    expect(missing.json()).toMatchObject({
      statusCode: 401,
      code: "OL_ERR_MESH_UNAUTHENTICATED",
      error: "Unauthorized",
    });
    const wrong = await h.app.inject({
      method: "GET",
      url: "/v1/blackboard/context/x",
      headers: { authorization: `Bearer ${agentToken("another-master-key-0123456789abcdefgh", "alpha")}` },
      remoteAddress: addressOf(config, "alpha"),
    });
    expect(wrong.statusCode).toBe(401);
    const rows = await audit(h);
    expect(rows.filter((r) => r.code === "OL_ERR_MESH_UNAUTHENTICATED")).toHaveLength(2);
    expect(JSON.stringify(rows)).not.toContain(agentToken("another-master-key-0123456789abcdefgh", "alpha"));
  });

  it("refuses a valid token presented from another agent's subnet with 403 and an audit entry", async () => {
    h = await startMesh(config);
    const res = await h.app.inject({
      method: "GET",
      url: "/v1/blackboard/context/x",
      headers: as("alpha"),
      remoteAddress: addressOf(config, "beta"),
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe("OL_ERR_MESH_WRONG_SUBNET");
    const rows = await audit(h);
    expect(rows.at(-1)).toMatchObject({
      actor: "alpha",
      outcome: "denied",
      code: "OL_ERR_MESH_WRONG_SUBNET",
      detail: { address: "10.0.2.5", subnet: "10.0.1.0/28" },
    });
  });

  it("ignores X-Forwarded-For: only the socket address counts", async () => {
    h = await startMesh(config);
    const res = await h.app.inject({
      method: "GET",
      url: "/v1/blackboard/context/x",
      headers: { ...as("alpha"), "x-forwarded-for": addressOf(config, "alpha") },
      remoteAddress: "192.0.2.1",
    });
    expect(res.statusCode).toBe(403);
  });

  it("keeps agent and operator routes apart", async () => {
    h = await startMesh(config);
    const opOnAgent = await h.app.inject({ method: "GET", url: "/v1/inbox", headers: OPERATOR });
    expect(opOnAgent.statusCode).toBe(403);
    expect(opOnAgent.json()).toMatchObject({
      code: "OL_ERR_MESH_WRONG_PRINCIPAL",
      message: "this route needs the agent token",
    });
    const agentOnOp = await h.app.inject({
      method: "GET",
      url: "/v1/audit",
      headers: as("alpha"),
      remoteAddress: addressOf(config, "alpha"),
    });
    expect(agentOnOp.statusCode).toBe(403);
    expect(agentOnOp.json().code).toBe("OL_ERR_MESH_WRONG_PRINCIPAL");
  });

  it("serves /healthz without a token", async () => {
    h = await startMesh(config);
    expect((await h.app.inject({ method: "GET", url: "/healthz" })).json()).toEqual({ ok: true });
  });

  it("checks the real socket address over TCP on loopback", async () => {
    h = await startMesh(config, { subnetOverrides: { alpha: "127.0.0.0/8" } });
    const base = await h.app.listen({ host: "127.0.0.1", port: 0 });
    const ok = await request(`${base}/v1/blackboard/context/x`, { headers: as("alpha") });
    expect(ok.statusCode).toBe(404);
    await ok.body.dump();
    const beta = await request(`${base}/v1/blackboard/context/x`, { headers: as("beta") });
    expect(beta.statusCode).toBe(403);
    expect(((await beta.body.json()) as { code: string }).code).toBe("OL_ERR_MESH_WRONG_SUBNET");
  });

  it("re-checks every new token on a keep-alive connection (the per-socket cache never widens access)", async () => {
    h = await startMesh(config, { subnetOverrides: { alpha: "127.0.0.0/8" } });
    const base = await h.app.listen({ host: "127.0.0.1", port: 0 });
    const pool = new Pool(base, { connections: 1, pipelining: 1 });
    try {
      const get = async (headers: Record<string, string>) => {
        const res = await pool.request({ method: "GET", path: "/v1/blackboard/context/x", headers });
        const body = (await res.body.json()) as { code?: string };
        return [res.statusCode, body.code];
      };
      expect(await get(as("alpha"))).toEqual([404, "OL_ERR_MESH_NOT_FOUND"]);
      expect(await get(as("alpha"))).toEqual([404, "OL_ERR_MESH_NOT_FOUND"]); // cached on this socket
      expect(await get({ authorization: "Bearer forged" })).toEqual([401, "OL_ERR_MESH_UNAUTHENTICATED"]);
      expect(await get({})).toEqual([401, "OL_ERR_MESH_UNAUTHENTICATED"]);
      // beta's token on alpha's verified socket: beta's own subnet check still applies.
      expect(await get(as("beta"))).toEqual([403, "OL_ERR_MESH_WRONG_SUBNET"]);
      expect(await get(OPERATOR)).toEqual([404, "OL_ERR_MESH_NOT_FOUND"]);
      expect(await get(as("alpha"))).toEqual([404, "OL_ERR_MESH_NOT_FOUND"]);
    } finally {
      await pool.close();
    }
  });

  it("answers a flood beyond the rate limit with 429 and retry-after, and keeps serving others", async () => {
    // A stopped clock: no token refills however slowly the 20 requests run on a loaded machine.
    h = await startMesh(config, { clock: new ManualClock(), limits: { rate_rps: 5, rate_burst: 5 } });
    const codes: number[] = [];
    let retryAfter: string | undefined;
    for (let i = 0; i < 20; i++) {
      const res = await h.app.inject({
        method: "GET",
        url: "/v1/blackboard/context/x",
        headers: as("alpha"),
        remoteAddress: addressOf(config, "alpha"),
      });
      codes.push(res.statusCode);
      if (res.statusCode === 429) retryAfter = String(res.headers["retry-after"]);
    }
    expect(codes.slice(0, 5)).toEqual([404, 404, 404, 404, 404]);
    expect(codes.slice(5).every((c) => c === 429)).toBe(true);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    const other = await h.app.inject({
      method: "GET",
      url: "/v1/blackboard/context/x",
      headers: as("beta"),
      remoteAddress: addressOf(config, "beta"),
    });
    expect(other.statusCode).toBe(404);
    expect((await h.app.inject({ method: "GET", url: "/v1/status", headers: OPERATOR })).statusCode).toBe(
      200,
    );
  });

  it("refuses to start with a malformed subnet or pattern", async () => {
    const bad = meshConfig({ a: { permissions: perms({ blackboard_read: ["context/***"] }) } });
    bad.agents.a!.subnet = "10.0.0.0";
    await expect(startMesh(bad)).rejects.toMatchObject({ code: "OL_ERR_MESH_CONFIG" });
    void MASTER;
  });
});
