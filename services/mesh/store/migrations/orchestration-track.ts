import type Database from "better-sqlite3";

/** Migrations 004-006 were the orchestration track's 1-3: their new number is old + this offset. */
export const ORCHESTRATION_TRACK_OFFSET = 3;

/**
 * Releases up to commit 2c94cff recorded the orchestration tables in a second version table,
 * `orch_schema_version` (versions 1-3). This folds that track into `schema_version` as 004-006,
 * keeping each row's name and `applied_at`, and drops the old table, in one transaction: a crash
 * leaves either the old two tracks or the new one. The caller runs the core migrations up to 003
 * first, so the numbers taken here are free and no core migration is skipped. No-op on a database
 * that never had the second track.
 */
export function foldOrchestrationTrack(db: Database.Database): void {
  const legacy = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'orch_schema_version'")
    .get();
  if (!legacy) return;
  db.transaction(() => {
    db.prepare(
      `INSERT INTO schema_version (version, name, applied_at)
       SELECT version + ?, name, applied_at FROM orch_schema_version`,
    ).run(ORCHESTRATION_TRACK_OFFSET);
    db.exec("DROP TABLE orch_schema_version");
  })();
}
