import type Database from "better-sqlite3";
import { type Migration, migrate as runMigrations } from "../../../common/sqlite/migrate.js";
import { migration001 } from "./001-initial.js";
import { migration002 } from "./002-rowid-tables.js";
import { migration003 } from "./003-history-indexes.js";
import { migration004 } from "./004-workflows.js";
import { migration005 } from "./005-triggers.js";
import { migration006 } from "./006-concurrency-heartbeat-settings.js";
import { migration007 } from "./007-channels.js";
import { migration008 } from "./008-parity.js";
import { foldOrchestrationTrack, ORCHESTRATION_TRACK_OFFSET } from "./orchestration-track.js";

/**
 * The mesh database's one migration track (STYLE.md "SQLite"), recorded in `schema_version`, for
 * every module's tables: 001-003 blackboard, interests, inbox and audit; 004-006 orchestration. A
 * module that needs tables adds the next number here (docs/decisions/mesh.md "One migration track").
 */
export const MIGRATIONS: readonly Migration[] = [
  migration001,
  migration002,
  migration003,
  migration004,
  migration005,
  migration006,
  migration007,
  migration008,
];

export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number {
  runMigrations(
    db,
    migrations.filter((m) => m.version <= ORCHESTRATION_TRACK_OFFSET),
  );
  foldOrchestrationTrack(db);
  return runMigrations(db, migrations);
}
