import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../../services/mesh/clock.js";
import { addressOf, as, type Harness, meshConfig, OPERATOR, perms, removeDir, startMesh } from "./helpers.js";

const config = meshConfig({
  writer: {
    permissions: perms({
      blackboard_read: ["context/**", "history/**", "tasks/*"],
      blackboard_write: ["context/**", "history/**", "tasks/*"],
    }),
  },
  reader: { permissions: perms({ blackboard_read: ["context/public_*"] }) },
  watcher: { permissions: perms({ blackboard_read: ["context/**"] }) },
});
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  if (h) removeDir(h.dir);
  h = undefined;
});

type Body = Record<string, unknown> | string;
const call = (
  agent: string,
  method: "GET" | "PUT" | "DELETE" | "POST",
  url: string,
  body?: Body,
  headers: Record<string, string> = {},
) =>
  h!.app.inject({
    method,
    url,
    headers: {
      ...as(agent),
      ...(typeof body === "string" ? { "content-type": "application/json" } : {}),
      ...headers,
    },
    remoteAddress: addressOf(config, agent),
    ...(body === undefined ? {} : typeof body === "string" ? { payload: body } : { payload: body }),
  });

describe("blackboard", () => {
  it("writes, reads and versions a key; answers 201 on create and 200 on update", async () => {
    h = await startMesh(config);
    const created = await call("writer", "PUT", "/v1/blackboard/context/prospect_acme", {
      value: { score: 7 },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      key: "context/prospect_acme",
      value: { score: 7 },
      version: 1,
      updated_by: "writer",
      expires_at: null,
    });
    expect(created.headers.etag).toBe('"1"');
    const updated = await call("writer", "PUT", "/v1/blackboard/context/prospect_acme", {
      value: { score: 8 },
    });
    expect(updated.statusCode).toBe(200);
    expect(updated.json().version).toBe(2);
    const read = await call("writer", "GET", "/v1/blackboard/context/prospect_acme");
    expect(read.json()).toMatchObject({ value: { score: 8 }, version: 2 });
    const versions = await call("writer", "GET", "/v1/blackboard-versions/context/prospect_acme");
    expect(
      versions.json().versions.map((v: { version: number; value: unknown }) => [v.version, v.value]),
    ).toEqual([
      [2, { score: 8 }],
      [1, { score: 7 }],
    ]);
  });

  it("rejects a stale compare-and-set with 409 and keeps the newer value", async () => {
    h = await startMesh(config);
    await call("writer", "PUT", "/v1/blackboard/tasks/t1", { value: "a" });
    await call("writer", "PUT", "/v1/blackboard/tasks/t1", { value: "b", if_version: 1 });
    const stale = await call("writer", "PUT", "/v1/blackboard/tasks/t1", { value: "c", if_version: 1 });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({
      code: "OL_ERR_MESH_VERSION_CONFLICT",
      message: "tasks/t1 is at version 2, not 1",
    });
    const viaHeader = await call(
      "writer",
      "PUT",
      "/v1/blackboard/tasks/t1",
      { value: "c" },
      { "if-match": '"1"' },
    );
    expect(viaHeader.statusCode).toBe(409);
    const mustNotExist = await call("writer", "PUT", "/v1/blackboard/tasks/t1", {
      value: "d",
      if_version: 0,
    });
    expect(mustNotExist.statusCode).toBe(409);
    expect((await call("writer", "GET", "/v1/blackboard/tasks/t1")).json().value).toBe("b");
    const del = await call("writer", "DELETE", "/v1/blackboard/tasks/t1?if_version=1");
    expect(del.statusCode).toBe(409);
    expect((await call("writer", "DELETE", "/v1/blackboard/tasks/t1?if_version=2")).json()).toEqual({
      key: "tasks/t1",
      version: 3,
      deleted: true,
    });
    expect((await call("writer", "GET", "/v1/blackboard/tasks/t1")).statusCode).toBe(404);
    const recreated = await call("writer", "PUT", "/v1/blackboard/tasks/t1", { value: "e", if_version: 0 });
    expect(recreated.statusCode).toBe(201);
    expect(recreated.json().version).toBe(4);
  });

  it("keeps history/ append-only", async () => {
    h = await startMesh(config);
    expect((await call("writer", "PUT", "/v1/blackboard/history/action_1", { value: 1 })).statusCode).toBe(
      201,
    );
    const overwrite = await call("writer", "PUT", "/v1/blackboard/history/action_1", { value: 2 });
    expect(overwrite.statusCode).toBe(409);
    expect(overwrite.json().code).toBe("OL_ERR_MESH_APPEND_ONLY");
    expect((await call("writer", "DELETE", "/v1/blackboard/history/action_1")).json().code).toBe(
      "OL_ERR_MESH_APPEND_ONLY",
    );
    expect(
      (await call("writer", "PUT", "/v1/blackboard/history/action_2", { value: 1, ttl_s: 60 })).statusCode,
    ).toBe(409);
    expect(
      (
        await h.app.inject({
          method: "PUT",
          url: "/v1/blackboard/history/action_1",
          headers: OPERATOR,
          payload: { value: 3 },
        })
      ).statusCode,
    ).toBe(409);
  });

  it("expires keys by TTL (reads stop at once; GC removes them and notifies watchers)", async () => {
    const clock = new ManualClock();
    h = await startMesh(config, { clock });
    expect((await call("watcher", "POST", "/v1/watches", { prefix: "context/" })).statusCode).toBe(201);
    const put = await call("writer", "PUT", "/v1/blackboard/context/temp", { value: "x", ttl_s: 30 });
    expect(put.json().expires_at).toBe(clock.now() + 30_000);
    clock.advance(29_000);
    expect((await call("writer", "GET", "/v1/blackboard/context/temp")).statusCode).toBe(200);
    clock.advance(1_000);
    expect((await call("writer", "GET", "/v1/blackboard/context/temp")).statusCode).toBe(404);
    expect(h.app.mesh.gc()).toBeGreaterThanOrEqual(1);
    expect(h.store.blackboard.get("context/temp")).toBeUndefined();
    const inbox = (await call("watcher", "GET", "/v1/inbox")).json().messages;
    expect(inbox.map((m: { payload: { op: string } }) => m.payload.op)).toEqual(["put", "expire"]);
  });

  it("denies by the permission matrix with the rule that denied, and audits it", async () => {
    h = await startMesh(config);
    const res = await call("reader", "PUT", "/v1/blackboard/context/x", { value: 1 });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({
      code: "OL_ERR_MESH_DENIED",
      message: 'blackboard_write is empty (default deny), so "context/x" is not allowed',
    });
    const read = await call("reader", "GET", "/v1/blackboard/context/secret");
    expect(read.json().message).toBe('blackboard_read has no pattern matching "context/secret"');
    const audit = (
      await h.app.inject({ method: "GET", url: "/v1/audit?actor=reader&outcome=denied", headers: OPERATOR })
    ).json().entries;
    expect(audit.map((e: { action: string; target: string }) => [e.action, e.target])).toEqual([
      ["blackboard.write", "context/x"],
      ["blackboard.read", "context/secret"],
    ]);
  });

  it("lists by prefix with pagination, filtered by read permission", async () => {
    h = await startMesh(config);
    for (const k of ["public_a", "public_b", "secret_c", "public_d", "public_e"]) {
      await call("writer", "PUT", `/v1/blackboard/context/${k}`, { value: k });
    }
    const p1 = (await call("reader", "GET", "/v1/blackboard?prefix=context/&limit=2")).json();
    expect(p1.entries.map((e: { key: string }) => e.key)).toEqual(["context/public_a", "context/public_b"]);
    const p2 = (
      await call("reader", "GET", `/v1/blackboard?prefix=context/&limit=2&after=${p1.next_after}`)
    ).json();
    expect(p2.entries.map((e: { key: string }) => e.key)).toEqual(["context/public_d", "context/public_e"]);
    const p3 = (
      await call("reader", "GET", `/v1/blackboard?prefix=context/&limit=2&after=${p2.next_after}`)
    ).json();
    expect(p3).toEqual({ entries: [], next_after: null });
    const all = (
      await h.app.inject({ method: "GET", url: "/v1/blackboard?prefix=context/", headers: OPERATOR })
    ).json();
    expect(all.entries).toHaveLength(5);
  });

  it("delivers watch events to watchers that may read the key, not to the writer", async () => {
    h = await startMesh(config);
    await call("watcher", "POST", "/v1/watches", { prefix: "context/prospect" });
    await call("reader", "POST", "/v1/watches", { prefix: "context/" });
    await call("writer", "POST", "/v1/watches", { prefix: "context/" });
    await call("writer", "PUT", "/v1/blackboard/context/prospect_x", { value: 1 });
    await call("writer", "PUT", "/v1/blackboard/context/public_y", { value: 1 });
    const w = (await call("watcher", "GET", "/v1/inbox")).json().messages;
    expect(w).toHaveLength(1);
    expect(w[0]).toMatchObject({
      kind: "watch",
      from: "mesh",
      topic: "context/prospect_x",
      payload: { key: "context/prospect_x", version: 1, op: "put", by: "writer", prefix: "context/prospect" },
    });
    const r = (await call("reader", "GET", "/v1/inbox")).json().messages;
    expect(r.map((m: { topic: string }) => m.topic)).toEqual(["context/public_y"]);
    expect((await call("writer", "GET", "/v1/inbox")).json().messages).toEqual([]);
    expect(
      (await call("watcher", "GET", "/v1/watches")).json().watches.map((x: { prefix: string }) => x.prefix),
    ).toEqual(["context/prospect"]);
  });

  it("refuses the 101st watch with a precise 409 and keeps serving", async () => {
    h = await startMesh(config);
    const codes = new Map<number, number>();
    for (let i = 0; i < 10_000; i += 1) {
      if (i > 150) break; // the limit (100) is reached long before; 10 000 would only repeat the same 409
      const res = await call("watcher", "POST", "/v1/watches", { prefix: `context/w${i}` });
      codes.set(res.statusCode, (codes.get(res.statusCode) ?? 0) + 1);
      if (res.statusCode === 409) expect(res.json().code).toBe("OL_ERR_MESH_WATCH_LIMIT");
    }
    expect(codes.get(201)).toBe(100);
    expect(codes.get(409)).toBe(51);
    expect((await call("writer", "PUT", "/v1/blackboard/context/ok", { value: 1 })).statusCode).toBe(201);
  });

  it("answers bad input with precise 4xx", async () => {
    h = await startMesh(config, { limits: { value_bytes: 1024, body_bytes: 4096 } });
    const big = await call("writer", "PUT", "/v1/blackboard/context/big", { value: "x".repeat(2000) });
    expect(big.statusCode).toBe(413);
    expect(big.json()).toMatchObject({
      code: "OL_ERR_MESH_VALUE_TOO_LARGE",
      message: "value is 2002 bytes of JSON; the limit is 1024",
    });
    const huge = await call("writer", "PUT", "/v1/blackboard/context/big", { value: "x".repeat(5000) });
    expect(huge.statusCode).toBe(413);
    expect(huge.json().code).toBe("OL_ERR_MESH_BODY_TOO_LARGE");
    const malformed = await call("writer", "PUT", "/v1/blackboard/context/x", '{"value": ');
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().code).toBe("OL_ERR_MESH_BAD_JSON");
    // (A literal "/../" is resolved by HTTP clients before sending; the encoded form reaches the mesh.)
    const encodedDots = await call("writer", "PUT", "/v1/blackboard/context/%2e%2e/x", { value: 1 });
    expect(encodedDots.json()).toMatchObject({ statusCode: 400, code: "OL_ERR_MESH_BAD_KEY" });
    const nul = await call("writer", "PUT", "/v1/blackboard/context/a%00b", { value: 1 });
    expect(nul.json()).toMatchObject({ statusCode: 400, code: "OL_ERR_MESH_BAD_KEY" });
    const noValue = await call("writer", "PUT", "/v1/blackboard/context/x", { nope: 1 });
    expect(noValue.json()).toMatchObject({ statusCode: 400, code: "OL_ERR_MESH_BAD_REQUEST" });
    const proto = await call("writer", "PUT", "/v1/blackboard/context/x", '{"value":1,"__proto__":{"a":1}}');
    expect(proto.statusCode).toBe(400);
    expect((await call("writer", "PUT", "/v1/blackboard/context/fine", { value: 1 })).statusCode).toBe(201);
  });

  it("enforces the per-agent key quota", async () => {
    h = await startMesh(config, { limits: { keys_per_agent: 2 } });
    await call("writer", "PUT", "/v1/blackboard/context/a", { value: 1 });
    await call("writer", "PUT", "/v1/blackboard/context/b", { value: 1 });
    const third = await call("writer", "PUT", "/v1/blackboard/context/c", { value: 1 });
    expect(third.json()).toMatchObject({ statusCode: 409, code: "OL_ERR_MESH_KEY_LIMIT" });
    expect((await call("writer", "PUT", "/v1/blackboard/context/a", { value: 2 })).statusCode).toBe(200);
  });
});
