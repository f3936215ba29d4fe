import type Database from "better-sqlite3";
import { migration001 } from "./001-init.js";

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Explicit, ordered list; never edit a shipped migration, add the next number. */
export const MIGRATIONS: readonly Migration[] = [migration001];

/** Applies pending migrations, each in its own transaction, recorded in schema_version. */
export function migrate(db: Database.Database, now: number): number {
  db.exec(
    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
  );
  const row = db.prepare("SELECT MAX(version) AS v FROM schema_version").get() as { v: number | null };
  const current = row.v ?? 0;
  const record = db.prepare("INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)");
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.name, now);
    })();
  }
  return MIGRATIONS.at(-1)?.version ?? 0;
}
