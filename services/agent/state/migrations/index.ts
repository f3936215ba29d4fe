import type Database from "better-sqlite3";
import { type Migration, migrate as runMigrations } from "../../../common/sqlite/migrate.js";
import { migration001 } from "./001-initial.js";
import { migration002 } from "./002-workflow-tasks.js";

/** The agent state database's numbered migrations (STYLE.md "SQLite"), recorded in `schema_version`. */
export const MIGRATIONS: readonly Migration[] = [migration001, migration002];

export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number {
  return runMigrations(db, migrations);
}
