import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { z } from "zod";

/**
 * Online snapshots for `openlegion backup` (docs/operations.md "Backup and restore"). On SIGUSR2 each
 * service copies its open databases with SQLite's online backup API (better-sqlite3 `db.backup()`,
 * page by page between event-loop turns, so the service keeps serving) into SNAPSHOT_DIR on its data
 * volume, then writes DONE_FILE last (write + rename). The service's own connection does the copy,
 * which is why the proxy's exclusive lock is no obstacle. The CLI then copies the volume out.
 */
export const SNAPSHOT_DIR = ".openlegion-backup";
export const DONE_FILE = "done.json";

export const snapshotFileSchema = z.strictObject({
  file: z.string().regex(/^[a-z0-9-]+\.db$/),
  bytes: z.int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** Each migration track of the database (`schema_version`, `orch_schema_version`, …) → its version. */
  schema: z.record(z.string(), z.int()),
});
export const snapshotDoneSchema = z.strictObject({
  taken_at: z.int(),
  sqlite: z.string(),
  files: z.array(snapshotFileSchema),
});
export type SnapshotDone = z.infer<typeof snapshotDoneSchema>;

export const sha256File = (path: string): string =>
  createHash("sha256").update(readFileSync(path)).digest("hex");

/** The version of every migration track in `db` (tables named *schema_version). */
export function schemaVersions(db: Database.Database): Record<string, number> {
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%schema_version'")
    .pluck()
    .all() as string[];
  const out: Record<string, number> = {};
  for (const t of tables) {
    if (!/^[a-z_]+$/.test(t)) continue;
    out[t] = Number(db.prepare(`SELECT COALESCE(MAX(version), 0) FROM ${t}`).pluck().get());
  }
  return out;
}

/**
 * A database to snapshot: its open connection (the proxy's, whose exclusive lock keeps others out; it
 * holds no transaction across turns) or its path (WAL: a fresh read-only connection sees one
 * consistent commit, and no write batch of the service's own connection gets in the way).
 */
export type NamedDb = { file: string; db: Database.Database } | { file: string; path: string };

export async function writeSnapshot(
  dataDir: string,
  dbs: readonly NamedDb[],
  now = Date.now,
): Promise<SnapshotDone> {
  const dir = join(dataDir, SNAPSHOT_DIR);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files: SnapshotDone["files"] = [];
  let sqlite = "";
  for (const source of dbs) {
    const target = join(dir, source.file);
    const db =
      "db" in source ? source.db : new Database(source.path, { readonly: true, fileMustExist: true });
    try {
      await db.backup(target);
      // A self-contained rollback-journal file: it opens read-only anywhere. A WAL-mode copy needs a
      // writable directory for its -shm, which the restore's read-only mount does not have.
      const copy = new Database(target);
      copy.pragma("journal_mode = DELETE");
      copy.close();
      sqlite = String(db.prepare("SELECT sqlite_version()").pluck().get());
      const schema = schemaVersions(db);
      files.push({ file: source.file, bytes: statSync(target).size, sha256: sha256File(target), schema });
    } finally {
      if (!("db" in source)) db.close();
    }
  }
  const done: SnapshotDone = { taken_at: now(), sqlite, files };
  writeFileSync(join(dir, `${DONE_FILE}.tmp`), JSON.stringify(done));
  renameSync(join(dir, `${DONE_FILE}.tmp`), join(dir, DONE_FILE));
  return done;
}

/** SIGUSR2 → one snapshot at a time; failures are logged, never fatal for the service. */
export function onSnapshotSignal(
  dataDir: string,
  dbs: () => readonly NamedDb[],
  log: { info(o: object, m: string): void; error(o: object, m: string): void },
): void {
  let running = false;
  process.on("SIGUSR2", () => {
    if (running) return;
    running = true;
    writeSnapshot(dataDir, dbs())
      .then((d) => log.info({ files: d.files.map((f) => f.file) }, "backup snapshot written"))
      .catch((err: unknown) => log.error({ err }, "backup snapshot failed"))
      .finally(() => {
        running = false;
      });
  });
}
