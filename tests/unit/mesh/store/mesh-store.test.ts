import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { WatchIndex } from "../../../../services/mesh/modules/blackboard/watch-index.js";
import { preview } from "../../../../services/mesh/store/audit-repo.js";
import { MeshStore } from "../../../../services/mesh/store/mesh-store.js";
import { migrate } from "../../../../services/mesh/store/migrations/index.js";

describe("mesh store", () => {
  it("applies numbered migrations once and records them", () => {
    const db = new Database(":memory:");
    const store = new MeshStore(db);
    expect(store.schemaVersion).toBe(8);
    expect(migrate(db)).toBe(8);
    expect(db.prepare("SELECT version, name FROM schema_version").all()).toEqual([
      { version: 1, name: "initial" },
      { version: 2, name: "rowid-tables" },
      { version: 3, name: "history-indexes" },
      { version: 4, name: "workflows" },
      { version: 5, name: "triggers" },
      { version: 6, name: "concurrency-heartbeat-settings" },
      { version: 7, name: "channels" },
      { version: 8, name: "parity" },
    ]);
    store.close();
  });

  it("keeps a bounded number of versions per key", () => {
    const store = new MeshStore(new Database(":memory:"));
    for (let v = 1; v <= 5; v++) {
      store.blackboard.put({
        key: "tasks/a",
        value: String(v),
        version: v,
        owner: "x",
        by: "x",
        now: v,
        createdAt: 1,
        expiresAt: null,
        keepVersions: 2,
      });
    }
    expect(store.blackboard.versions("tasks/a", 10).map((r) => r.version)).toEqual([5, 4]);
    store.close();
  });

  it("counts undelivered messages and dead-letters at the attempt budget", () => {
    const store = new MeshStore(new Database(":memory:"));
    const id = store.inbox.enqueue(
      { agent: "a", kind: "message", sender: "b", topic: null, lane: "followup", payload: "1" },
      1,
    );
    expect(store.inbox.depth("a")).toBe(1);
    expect(store.inbox.markFailed("a", [id], 2)).toBe(0);
    expect(store.inbox.markFailed("a", [id], 2)).toBe(1);
    expect(store.inbox.stats().get("a")).toEqual({ pending: 0, dead: 1 });
    expect(store.inbox.depth("a")).toBe(1);
    expect(store.inbox.markDelivered("a", [id], 5)).toBe(1);
    expect(store.inbox.depth("a")).toBe(0);
    store.close();
  });

  it("prunes audit rows by age and by row cap", () => {
    const store = new MeshStore(new Database(":memory:"));
    for (let i = 0; i < 10; i++)
      store.audit.append({
        at: i,
        actor: "a",
        action: "x",
        target: "t",
        outcome: "ok",
        code: null,
        detail: null,
      });
    expect(store.audit.prune(3, 100, 100)).toBe(3);
    expect(store.audit.prune(0, 5, 100)).toBe(2);
    expect(store.audit.query({ after: 0, limit: 100 }).map((e) => e.at)).toEqual([5, 6, 7, 8, 9]);
    store.close();
  });
});

describe("watch index and previews", () => {
  it("finds watchers by any string prefix of a key", () => {
    const w = new WatchIndex();
    w.add("a", "context/");
    w.add("b", "context/pro");
    w.add("c", "tasks/");
    expect([...w.watchersOf("context/prospect")]).toEqual([
      ["a", "context/"],
      ["b", "context/pro"],
    ]);
    w.remove("b", "context/pro");
    expect([...w.watchersOf("context/prospect").keys()]).toEqual(["a"]);
  });

  it("caps audit previews", () => {
    expect(preview("a\n b")).toBe("a b");
    expect(preview("x".repeat(500))).toHaveLength(121);
  });
});
