import type Database from "better-sqlite3";
import { type Migration, migrate as runMigrations } from "../../../common/sqlite/migrate.js";
import { migration001 } from "./001-init.js";

/** Explicit, ordered list; never edit a shipped migration, add the next number. */
export const MIGRATIONS: readonly Migration[] = [migration001];

/** Applies pending migrations, each in its own transaction, recorded in schema_version at `now`. */
export function migrate(db: Database.Database, now: number): number {
  return runMigrations(db, MIGRATIONS, { now: () => now });
}
