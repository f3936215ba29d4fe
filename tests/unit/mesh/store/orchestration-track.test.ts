import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { migrate as runMigrations } from "../../../../services/common/sqlite/migrate.js";
import { MeshStore } from "../../../../services/mesh/store/mesh-store.js";
import { MIGRATIONS } from "../../../../services/mesh/store/migrations/index.js";

const schemaOf = (db: Database.Database) =>
  db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").all();

describe("folding the old orchestration migration track", () => {
  it("a database from before migration 003 (core at 2, orchestration at 3) gets 003 and keeps its rows", () => {
    // Given a database as a release before history indexes left it: two tracks, core behind.
    const db = new Database(":memory:");
    runMigrations(
      db,
      MIGRATIONS.filter((m) => m.version <= 2),
      { now: () => 1 },
    );
    db.exec(
      "CREATE TABLE orch_schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
    );
    for (const m of MIGRATIONS.filter((m) => m.version >= 4 && m.version <= 6)) {
      db.exec(m.sql);
      db.prepare("INSERT INTO orch_schema_version VALUES (?, ?, 7)").run(m.version - 3, m.name);
    }
    db.prepare(
      "INSERT INTO heartbeat_settings (agent, enabled, every_ms, probes_json, updated_at) VALUES ('a', 1, 60000, '[]', 9)",
    ).run();

    // When the mesh opens it
    const store = new MeshStore(db);

    // Then it is at 8 on one track, with 003, 007 and 008 applied now and 004-006 keeping their original times
    expect(store.schemaVersion).toBe(8);
    const track = db.prepare("SELECT version, name, applied_at FROM schema_version ORDER BY version").all();
    expect(track.map((r) => (r as { version: number }).version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(track.slice(3, 6)).toEqual([
      { version: 4, name: "workflows", applied_at: 7 },
      { version: 5, name: "triggers", applied_at: 7 },
      { version: 6, name: "concurrency-heartbeat-settings", applied_at: 7 },
    ]);
    expect(db.prepare("SELECT agent, every_ms FROM heartbeat_settings").all()).toEqual([
      { agent: "a", every_ms: 60000 },
    ]);
    const fresh = new MeshStore(new Database(":memory:"));
    expect(schemaOf(db)).toEqual(schemaOf(fresh.db));
    fresh.close();
    store.close();
  });
});
