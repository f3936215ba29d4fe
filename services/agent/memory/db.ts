import Database from "better-sqlite3";
import * as sqliteVec from "sqlite-vec";
import { migrate } from "../../common/sqlite/migrate.js";
import { applySync, type SyncMode } from "../../common/sqlite/sync.js";
import { MEMORY_MIGRATIONS } from "./migrations/index.js";

/** mmap ≥ DB size makes vec0 scans ~3× faster on a file DB (research/agent.md §3.5); 100 k × 384-d ≈ 175 MB. */
export const MMAP_BYTES = 1 << 30;

export interface MemoryDb {
  db: Database.Database;
  /** Why vector search cannot run at all (sqlite-vec did not load), else undefined. */
  vecError: string | undefined;
}

/**
 * Opens memory.db: WAL, synchronous FULL unless opted out, mmap, the sqlite-vec extension (its absence degrades recall
 * to FTS-only instead of failing), and the numbered migrations. The caller owns `db` and closes it.
 */
export function openMemoryDb(path: string, sync: SyncMode = "full"): MemoryDb {
  const db = new Database(path);
  try {
    db.pragma("journal_mode = WAL");
    applySync(db, sync);
    db.pragma("busy_timeout = 5000");
    db.pragma("foreign_keys = ON");
    db.pragma(`mmap_size = ${MMAP_BYTES}`);
    let vecError: string | undefined;
    try {
      sqliteVec.load(db);
    } catch (error) {
      vecError = `sqlite-vec did not load: ${error instanceof Error ? error.message : String(error)}`;
    }
    migrate(db, MEMORY_MIGRATIONS);
    return { db, vecError };
  } catch (error) {
    db.close();
    throw error;
  }
}
