import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { entryFromRow, entryJson } from "../../../../services/mesh/store/blackboard-repo.js";
import { MeshStore } from "../../../../services/mesh/store/mesh-store.js";
import { migration001 } from "../../../../services/mesh/store/migrations/001-initial.js";
import { migrate } from "../../../../services/mesh/store/migrations/index.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const dbFile = () => {
  const dir = mkdtempSync(join(tmpdir(), "ol-mesh-gc-"));
  dirs.push(dir);
  return join(dir, "mesh.db");
};
const put = (store: MeshStore, key: string, version: number) =>
  store.blackboard.put({
    key,
    value: `{"v":${version}}`,
    version,
    owner: "a",
    by: "a",
    now: version,
    createdAt: 1,
    expiresAt: null,
    keepVersions: 5,
  });

describe("group commit", () => {
  it("commits a batch of writes once, after which every write resolves; a failing write undoes only itself", async () => {
    const path = dbFile();
    const store = MeshStore.open(path);
    const first = store.write(() => put(store, "context/a", 1));
    expect(() =>
      store.write(() => {
        put(store, "context/b", 1);
        throw new Error("CAS conflict");
      }),
    ).toThrow("CAS conflict");
    const third = store.write(() => put(store, "context/c", 1));
    const other = new Database(path, { readonly: true });
    expect(other.prepare("SELECT COUNT(*) AS n FROM blackboard").get()).toEqual({ n: 0 }); // not yet committed
    expect(store.settled()).toBeInstanceOf(Promise);
    await Promise.all([first, third]);
    expect(store.settled()).toBeUndefined();
    expect(other.prepare("SELECT key FROM blackboard ORDER BY key").all()).toEqual([
      { key: "context/a" },
      { key: "context/c" },
    ]);
    other.close();
    store.close();
  });

  it("a key written in the open batch is dirty until the batch commits (issue 15: clean reads skip the wait)", async () => {
    const store = MeshStore.open(dbFile());
    store.markDirty("context/x"); // no batch open: nothing to wait for
    expect(store.isDirty("context/x")).toBe(false);
    const write = store.write(() => {
      put(store, "context/a/1", 1);
      store.markDirty("context/a/1");
    });
    expect(store.isDirty("context/a/1")).toBe(true);
    expect(store.isDirty("context/a/2")).toBe(false);
    expect(store.isDirty("context/a/", true)).toBe(true);
    expect(store.isDirty("context/b", true)).toBe(false);
    await write;
    expect(store.isDirty("context/a/1")).toBe(false);
    store.close();
  });

  it("commits the open batch before a plain transaction, so that caller's ack follows its own commit", async () => {
    const path = dbFile();
    const store = MeshStore.open(path);
    const batched = store.write(() => put(store, "context/a", 1));
    store.transaction(() => put(store, "context/b", 1));
    expect(store.db.inTransaction).toBe(false);
    const other = new Database(path, { readonly: true });
    expect(other.prepare("SELECT key FROM blackboard ORDER BY key").all()).toEqual([
      { key: "context/a" },
      { key: "context/b" },
    ]);
    other.close();
    // The batch's write is acknowledged once its WAL fsync (thread pool) has returned.
    await batched;
    expect(store.settled()).toBeUndefined();
    store.close();
  });
});

describe("migration 002", () => {
  it("moves v1 blackboard rows into rowid tables and counts live keys per owner", () => {
    const db = new Database(":memory:");
    migrate(db, [migration001]);
    const insert = db.prepare(
      "INSERT INTO blackboard (key, value, version, owner, updated_by, created_at, updated_at, expires_at, deleted) VALUES (?, '1', 3, ?, ?, 1, 2, NULL, ?)",
    );
    insert.run("context/a", "x", "x", 0);
    insert.run("context/b", "x", "x", 0);
    insert.run("context/gone", "x", "x", 1);
    insert.run("tasks/y", "y", "y", 0);
    const store = new MeshStore(db);
    expect(store.schemaVersion).toBe(8);
    expect(store.blackboard.get("context/a")).toMatchObject({ version: 3, owner: "x", deleted: 0 });
    expect(store.blackboard.countOwned("x")).toBe(2);
    expect(store.blackboard.countOwned("y")).toBe(1);
    // The triggers keep the counts: a tombstone, a purge and a new key.
    store.blackboard.tombstone("context/a", 4, "x", 5, 5);
    store.blackboard.purge("tasks/y");
    put(store, "context/new", 1);
    expect(store.blackboard.countOwned("x")).toBe(1);
    expect(store.blackboard.countOwned("y")).toBe(0);
    expect(store.blackboard.countOwned("a")).toBe(1);
    store.close();
  });

  it("serializes an entry from its row without re-parsing the value, identical to the parsed form", () => {
    const store = new MeshStore(new Database(":memory:"));
    put(store, "context/k", 1);
    const row = store.blackboard.get("context/k");
    if (!row) throw new Error("row missing");
    expect(JSON.parse(entryJson(row))).toEqual(entryFromRow(row));
    expect(entryJson({ ...row, expires_at: 99 })).toContain('"expires_at":99}');
    store.close();
  });
});
