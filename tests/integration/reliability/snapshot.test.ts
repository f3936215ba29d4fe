import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { DATABASES_FILE, restoreVolume } from "../../../services/common/backup/restore-tool.js";
import {
  DONE_FILE,
  SNAPSHOT_DIR,
  snapshotDoneSchema,
  writeSnapshot,
} from "../../../services/common/backup/snapshot.js";
import { LedgerStore } from "../../../services/egress-proxy/store/ledger-store.js";
import { MeshStore } from "../../../services/mesh/store/mesh-store.js";

/** The pieces of `openlegion backup`/`restore` that run inside the services, on real SQLite files. */
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "ol-snap-"));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("online snapshots", () => {
  it("copy a live mesh database with a write batch open, and record checksums and schema versions", async () => {
    const data = tmp();
    const mesh = MeshStore.open(join(data, "mesh.db"));
    try {
      mesh.db.prepare("CREATE TABLE IF NOT EXISTS drill (n INTEGER)").run();
      for (let i = 0; i < 100; i++) mesh.db.prepare("INSERT INTO drill (n) VALUES (?)").run(i);
      // A write acknowledged later (group commit) is in flight while the snapshot runs.
      const pending = mesh.write(() => mesh.db.prepare("INSERT INTO drill (n) VALUES (1000)").run());
      const done = await writeSnapshot(data, [{ file: "mesh.db", path: join(data, "mesh.db") }]);
      await pending;
      expect(
        snapshotDoneSchema.parse(JSON.parse(readFileSync(join(data, SNAPSHOT_DIR, DONE_FILE), "utf8"))),
      ).toEqual(done);
      expect(done.files[0]?.schema.schema_version).toBeGreaterThan(0);
      const copy = new Database(join(data, SNAPSHOT_DIR, "mesh.db"), { readonly: true });
      expect(copy.prepare("SELECT COUNT(*) FROM drill").pluck().get()).toBeGreaterThanOrEqual(100);
      expect(copy.prepare("PRAGMA integrity_check").pluck().get()).toBe("ok");
      // A rollback-journal file, not WAL: restore opens it read-only from a read-only mount, where a
      // WAL database cannot create its -shm ("unable to open database file").
      expect(copy.pragma("journal_mode", { simple: true })).toBe("delete");
      copy.close();
      expect(readFileSync(join(data, SNAPSHOT_DIR, "mesh.db")).readUInt8(18)).toBe(1); // header: legacy journal
    } finally {
      mesh.close();
    }
  });

  it("copy the proxy ledger through its own exclusive connection, which no other process can open", async () => {
    const data = tmp();
    const ledger = new LedgerStore(join(data, "egress-proxy.db"), Date.now());
    try {
      ledger.db.prepare("SELECT 1").get(); // takes the exclusive lock
      const other = () =>
        new Database(join(data, "egress-proxy.db"), { timeout: 50 })
          .prepare("SELECT COUNT(*) FROM calls")
          .get();
      expect(other).toThrow(/locked/);
      const done = await writeSnapshot(data, [{ file: "egress-proxy.db", db: ledger.db }]);
      expect(done.files.map((f) => f.file)).toEqual(["egress-proxy.db"]);
    } finally {
      ledger.close();
    }
  });
});

describe("restoring a volume", () => {
  async function stagedVolume(): Promise<string> {
    const data = tmp();
    const db = new Database(join(data, "agent.db"));
    db.pragma("journal_mode = WAL");
    db.exec("CREATE TABLE messages (body TEXT); INSERT INTO messages VALUES ('remember the codeword');");
    const done = await writeSnapshot(data, [{ file: "agent.db", db }]);
    db.close();
    const stage = tmp();
    renameSync(join(data, SNAPSHOT_DIR, "agent.db"), join(stage, "agent.db"));
    mkdirSync(join(stage, "memory"));
    writeFileSync(join(stage, "memory", "2026-12-07.md"), "- a note\n");
    writeFileSync(join(stage, DATABASES_FILE), JSON.stringify(done.files));
    return stage;
  }

  it("replaces the volume's contents with the backup's after checking every database", async () => {
    const stage = await stagedVolume();
    const volume = tmp();
    writeFileSync(join(volume, "stale.db-wal"), "old");
    expect(restoreVolume(stage, volume)).toMatchObject({ databases: ["agent.db"] });
    const db = new Database(join(volume, "agent.db"), { readonly: true });
    expect(db.prepare("SELECT body FROM messages").pluck().get()).toBe("remember the codeword");
    db.close();
    expect(readFileSync(join(volume, "memory", "2026-12-07.md"), "utf8")).toBe("- a note\n");
    expect(() => readFileSync(join(volume, "stale.db-wal"))).toThrow();
  });

  it("refuses a database whose checksum differs and leaves the volume untouched", async () => {
    const stage = await stagedVolume();
    writeFileSync(
      join(stage, "agent.db"),
      Buffer.concat([readFileSync(join(stage, "agent.db")), Buffer.from("x")]),
    );
    const volume = tmp();
    writeFileSync(join(volume, "keep.txt"), "still here");
    expect(() => restoreVolume(stage, volume)).toThrow(/agent\.db: checksum does not match/);
    expect(readFileSync(join(volume, "keep.txt"), "utf8")).toBe("still here");
  });
});
