import { afterEach, describe, expect, it } from "vitest";
import { addressOf, as, type Harness, meshConfig, perms, removeDir, startMesh } from "./helpers.js";

/** Finding 10 of issue 14: schedules and watches are permission-checked, deep JSON is a 400. */
const config = meshConfig({
  planner: { permissions: perms({ can_schedule: true, blackboard_read: ["tasks/*"] }) },
  worker: {
    permissions: perms({
      blackboard_read: ["context/worker_*", "shared/**"],
      blackboard_write: ["context/worker_*"],
      can_publish: ["status"],
      can_subscribe: ["status"],
    }),
  },
});
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  if (h) removeDir(h.dir);
  h = undefined;
});

const call = (agent: string, method: "GET" | "POST" | "PUT", url: string, payload?: unknown) =>
  h!.app.inject({
    method,
    url,
    headers: { ...as(agent), "content-type": "application/json" },
    remoteAddress: addressOf(config, agent),
    ...(payload === undefined
      ? {}
      : { payload: typeof payload === "string" ? payload : JSON.stringify(payload) }),
  });

describe("schedules need can_schedule (default deny)", () => {
  it("an agent without it gets 403 and no schedule exists; one with it gets 201", async () => {
    h = await startMesh(config);
    const job = { schedule: "every 30m", message: "check", name: "j" };
    const denied = await call("worker", "POST", "/v1/schedules", job);
    expect(denied.statusCode).toBe(403);
    expect(denied.json()).toMatchObject({ code: "OL_ERR_MESH_DENIED" });
    expect(denied.json().message).toContain("can_schedule");
    expect((await call("worker", "GET", "/v1/schedules")).json().schedules).toEqual([]);
    expect((await call("planner", "POST", "/v1/schedules", job)).statusCode).toBe(201);
  });
});

describe("watches", () => {
  it.each([
    ["context/", 201],
    ["context/worker_a", 201],
    ["shared/deep/er/", 201],
    ["tasks/", 403],
    ["context/other_", 403],
    ["contextual", 403],
  ])("worker watching %s → %i", async (prefix, status) => {
    h = await startMesh(config);
    const res = await call("worker", "POST", "/v1/watches", { prefix });
    expect(res.statusCode).toBe(status);
    if (status === 403) expect(res.json().code).toBe("OL_ERR_MESH_DENIED");
  });
});

describe("deeply nested JSON", () => {
  it.each(["/v1/blackboard/context/worker_x", "/v1/publish"])(
    "%s → 400 OL_ERR_MESH_BAD_JSON, not 500",
    async (url) => {
      h = await startMesh(config);
      const deep = `${"[".repeat(10_000)}${"]".repeat(10_000)}`;
      const body = url.endsWith("publish") ? `{"topic":"status","payload":${deep}}` : `{"value":${deep}}`;
      const res = await call("worker", url.endsWith("publish") ? "POST" : "PUT", url, body);
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe("OL_ERR_MESH_BAD_JSON");
      // Brackets inside strings are data, not nesting.
      const inString = await call("worker", "PUT", "/v1/blackboard/context/worker_y", {
        value: "[".repeat(10_000),
      });
      expect(inString.statusCode).toBe(201);
    },
  );
});

describe("a publisher subscribed to its own topic", () => {
  it("does not receive its own event (documented in docs/decisions/mesh.md)", async () => {
    h = await startMesh(config);
    const sent = await call("worker", "POST", "/v1/publish", { topic: "status", payload: { ok: true } });
    expect(sent.statusCode).toBe(202);
    expect(sent.json().queued).toBe(0);
    expect((await call("worker", "GET", "/v1/inbox")).json().messages).toEqual([]);
  });
});
