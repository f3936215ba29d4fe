import type Database from "better-sqlite3";
import { type Migration, migrate as runMigrations } from "../../../common/sqlite/migrate.js";
import { migration001 } from "./001-initial.js";
import { migration002 } from "./002-rowid-tables.js";
import { migration003 } from "./003-history-indexes.js";

/**
 * The mesh database's numbered migrations (STYLE.md "SQLite"), recorded in `schema_version`.
 * Later modules (workflows, schedules, webhooks, channels, watchers) append here.
 */
export const MIGRATIONS: readonly Migration[] = [migration001, migration002, migration003];

export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number {
  return runMigrations(db, migrations);
}
