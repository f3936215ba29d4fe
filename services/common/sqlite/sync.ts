import type Database from "better-sqlite3";

/**
 * SQLite `synchronous` for every store that acknowledges a write (docs/operations.md "Durability").
 * `full` (default): each commit is fsynced before it is acknowledged, so an acknowledged write survives
 * a power loss or kernel crash too. `normal`: an explicit opt-in (`.env` OPENLEGION_SQLITE_SYNC=normal);
 * still safe across a process crash, but the last commits before a power loss may be lost.
 */
export type SyncMode = "full" | "normal";

export const SYNC_ENV = "OPENLEGION_SQLITE_SYNC";

/** The mode named in the environment (unset → `full`), or undefined when the value is not a mode. */
export function syncModeOf(env: NodeJS.ProcessEnv): SyncMode | undefined {
  const value = env[SYNC_ENV] ?? "full";
  return value === "full" || value === "normal" ? value : undefined;
}

export const syncProblem = (env: NodeJS.ProcessEnv): string =>
  `${SYNC_ENV} must be "full" or "normal", got ${JSON.stringify(env[SYNC_ENV])}`;

export function applySync(db: Database.Database, mode: SyncMode = "full"): void {
  db.pragma(`synchronous = ${mode === "normal" ? "NORMAL" : "FULL"}`);
}
