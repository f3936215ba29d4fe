import { afterEach, describe, expect, it } from "vitest";
import { addressOf, as, type Harness, meshConfig, perms, removeDir, startMesh } from "./helpers.js";

/**
 * Issue 15: a blackboard read that returns only committed data answers without waiting for the open write
 * batch; a read of a key written in that batch still waits for its commit (store/group-commit.ts).
 */
const config = meshConfig({
  writer: { permissions: perms({ blackboard_read: ["context/**"], blackboard_write: ["context/**"] }) },
});
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  if (h) removeDir(h.dir);
  h = undefined;
});

const get = (url: string) =>
  h!.app.inject({ method: "GET", url, headers: as("writer"), remoteAddress: addressOf(config, "writer") });

describe("issue 15: reads never wait for a write batch", () => {
  it("a committed key answers while a batch is stuck in its commit; the key written in that batch waits", async () => {
    h = await startMesh(config);
    for (const key of ["a", "b"]) {
      const res = await h.app.inject({
        method: "PUT",
        url: `/v1/blackboard/context/${key}`,
        headers: { ...as("writer"), "content-type": "application/json" },
        remoteAddress: addressOf(config, "writer"),
        payload: { value: { key } },
      });
      expect(res.statusCode).toBe(201);
    }
    // A batch that wrote context/b and has not committed yet (its commit is held until release()).
    let release!: () => void;
    const stuck = new Promise<void>((r) => {
      release = r;
    });
    const store = h.store;
    store.settled = () => stuck;
    store.isDirty = (key, prefix = false) => (prefix ? "context/b".startsWith(key) : key === "context/b");

    let dirtyAnswered = false;
    const dirty = get("/v1/blackboard/context/b").then((res) => {
      dirtyAnswered = true;
      return res;
    });
    const clean = await get("/v1/blackboard/context/a");
    expect(clean.statusCode).toBe(200);
    expect(clean.json()).toMatchObject({ key: "context/a", value: { key: "a" } });
    expect((await get("/v1/blackboard-versions/context/a")).json().versions).toHaveLength(1);
    expect((await get("/v1/blackboard?prefix=context/a")).json().entries).toHaveLength(1);
    expect(dirtyAnswered).toBe(false);
    release();
    expect((await dirty).json()).toMatchObject({ key: "context/b" });
  });
});
