import type Database from "better-sqlite3";
import { migration001 } from "./001-initial.js";
import { migration002 } from "./002-rowid-tables.js";
import { migration003 } from "./003-history-indexes.js";

/**
 * Numbered migrations (STYLE.md "SQLite"): each runs in its own transaction and is recorded in
 * `schema_version`. Later modules (workflows, schedules, webhooks, channels, watchers) append here.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [migration001, migration002, migration003];

export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number {
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
      record.run(m.version, m.name, Date.now());
    })();
  }
  return Math.max(current, ...migrations.map((m) => m.version));
}
