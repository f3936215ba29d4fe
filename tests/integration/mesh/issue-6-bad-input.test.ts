import type { AddressInfo } from "node:net";
import { Pool } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../../services/mesh/clock.js";
import { as, type Harness, meshConfig, perms, removeDir, startMesh } from "./helpers.js";

// Issue 6, "Bad input": each case answers a precise 4xx over real HTTP, and the mesh keeps serving.
const config = meshConfig({
  writer: { permissions: perms({ blackboard_read: ["context/**"], blackboard_write: ["context/**"] }) },
  other: { permissions: perms({ blackboard_read: ["context/**"] }) },
});
const loopback = { writer: "127.0.0.0/8", other: "127.0.0.0/8" };
let h: Harness | undefined;
let pool: Pool | undefined;
afterEach(async () => {
  await pool?.close();
  await h?.close();
  if (h) removeDir(h.dir);
  h = undefined;
  pool = undefined;
});

async function start(limits: Record<string, number> = {}, clock?: ManualClock) {
  h = await startMesh(config, { limits, subnetOverrides: loopback, ...(clock ? { clock } : {}) });
  await h.app.listen({ host: "127.0.0.1", port: 0 });
  pool = new Pool(`http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`, { connections: 8 });
  const p = pool;
  return async (agent: string, method: "GET" | "PUT" | "POST" | "DELETE", path: string, body?: string) => {
    const res = await p.request({
      method,
      path,
      headers: { ...as(agent), ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body,
    });
    const text = await res.body.text();
    return { status: res.statusCode, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  };
}

describe("issue 6: bad input", () => {
  it("oversize value, oversize body and malformed JSON", async () => {
    const call = await start({ value_bytes: 1024, body_bytes: 8192 });
    const value = await call(
      "writer",
      "PUT",
      "/v1/blackboard/context/big",
      JSON.stringify({ value: "x".repeat(2000) }),
    );
    expect(value).toMatchObject({ status: 413, body: { code: "OL_ERR_MESH_VALUE_TOO_LARGE" } });
    const body = await call(
      "writer",
      "PUT",
      "/v1/blackboard/context/big",
      JSON.stringify({ value: "x".repeat(9000) }),
    );
    expect(body).toMatchObject({ status: 413, body: { code: "OL_ERR_MESH_BODY_TOO_LARGE" } });
    for (const bad of ['{"value": ', "not json", '{"value":1}}', ""]) {
      const res = await call("writer", "PUT", "/v1/blackboard/context/x", bad);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe("OL_ERR_MESH_BAD_JSON");
    }
    expect((await call("writer", "PUT", "/v1/blackboard/context/ok", '{"value":1}')).status).toBe(201);
  });

  it("keys and prefixes with .. or NUL", async () => {
    const call = await start();
    const keys = ["context/%2e%2e/secret", "context/a/%2E%2E", "context/a%00b", "context/%00", "context/./x"];
    for (const key of keys) {
      for (const [method, body] of [
        ["GET", undefined],
        ["PUT", '{"value":1}'],
        ["DELETE", undefined],
      ] as const) {
        const res = await call("writer", method, `/v1/blackboard/${key}`, body);
        expect(res.status, `${method} ${key}`).toBe(400);
        expect(res.body.code).toBe("OL_ERR_MESH_BAD_KEY");
      }
    }
    const list = await call("writer", "GET", "/v1/blackboard?prefix=context/%2e%2e/");
    expect(list).toMatchObject({ status: 400, body: { code: "OL_ERR_MESH_BAD_KEY" } });
    for (const prefix of ["context/../", "context/a\u0000"]) {
      const res = await call("writer", "POST", "/v1/watches", JSON.stringify({ prefix }));
      expect(res).toMatchObject({ status: 400, body: { code: "OL_ERR_MESH_BAD_KEY" } });
    }
    expect((await call("writer", "PUT", "/v1/blackboard/context/ok", '{"value":1}')).status).toBe(201);
  });

  it("10 000 watch requests: the first watches_per_agent succeed, every other gets 409 WATCH_LIMIT", async () => {
    const call = await start({ rate_rps: 1e6, rate_burst: 1e6 });
    const counts = new Map<string, number>();
    for (let batch = 0; batch < 10_000; batch += 100) {
      const replies = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          call("writer", "POST", "/v1/watches", JSON.stringify({ prefix: `context/w${batch + i}` })),
        ),
      );
      for (const r of replies) {
        const key = `${r.status} ${r.body.code ?? ""}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
    expect(Object.fromEntries(counts)).toEqual({ "201 ": 100, "409 OL_ERR_MESH_WATCH_LIMIT": 9900 });
    expect(h!.store.watches.count("writer")).toBe(100);
    expect((await call("writer", "GET", "/v1/watches")).body.watches).toHaveLength(100);
    expect((await call("writer", "PUT", "/v1/blackboard/context/ok", '{"value":1}')).status).toBe(201);
  }, 120_000); // 10 000 real HTTP requests: ~5 s alone, over 30 s on a loaded 2-core machine

  it("a flood beyond the rate limit: 429 with retry-after for that agent only, then service resumes", async () => {
    // A stopped clock: the bucket refills only when the test advances it, however loaded the machine.
    const clock = new ManualClock();
    const call = await start({ rate_rps: 50, rate_burst: 50 }, clock);
    const flood = await Promise.all(
      Array.from({ length: 500 }, () => call("writer", "GET", "/v1/blackboard/context/none")),
    );
    const limited = flood.filter((r) => r.status === 429);
    expect(flood.every((r) => r.status === 404 || r.status === 429)).toBe(true);
    expect(flood.filter((r) => r.status === 404).length).toBe(50); // the burst
    expect(limited.length).toBe(450);
    expect(limited[0]?.body.code).toBe("OL_ERR_MESH_RATE_LIMITED");
    expect(Number(limited[0]?.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    // Other agents are served meanwhile, and the flooding agent is served again after the wait.
    expect((await call("other", "GET", "/v1/blackboard/context/none")).status).toBe(404);
    clock.advance(1100);
    expect((await call("writer", "PUT", "/v1/blackboard/context/after", '{"value":1}')).status).toBe(201);
  });
});
