import type Database from "better-sqlite3";

/**
 * Numbered migrations (STYLE.md "SQLite", nanoclaw:src/db/migrations/index.ts): the one runner every
 * service database uses. Never edit a shipped migration; add the next number.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export interface MigrateOptions {
  /** Clock for `applied_at` in epoch ms (default `Date.now`). */
  readonly now?: () => number;
}

/**
 * Applies every migration newer than the recorded version, in version order, each in its own
 * transaction together with its version row, so a failed migration leaves nothing behind.
 * Returns the schema version the database is at afterwards.
 */
export function migrate(
  db: Database.Database,
  migrations: readonly Migration[],
  options: MigrateOptions = {},
): number {
  const now = options.now ?? Date.now;
  db.exec(
    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
  );
  const row = db.prepare("SELECT MAX(version) AS v FROM schema_version").get() as { v: number | null };
  const current = row.v ?? 0;
  const record = db.prepare("INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)");
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.name, now());
    })();
  }
  return Math.max(current, ...migrations.map((m) => m.version));
}
