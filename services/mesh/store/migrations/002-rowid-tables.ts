import type { Migration } from "../../../common/sqlite/migrate.js";

/**
 * Performance and delivery state (docs/decisions/mesh.md "Blackboard tables with rowids"):
 *  - `blackboard` and `blackboard_versions` become rowid tables with a UNIQUE key. WITHOUT ROWID
 *    stores each ~KiB JSON value inside the key B-tree, which cost 2.5x per write and 3x per read.
 *  - `key_counts` keeps each owner's live-key count up to date by triggers, so the per-agent key
 *    limit is an O(1) lookup instead of a COUNT over up to `keys_per_agent` index entries.
 *  - `inbox.next_attempt_at` persists push backoff, so a restart does not reset it.
 */
export const migration002: Migration = {
  version: 2,
  name: "rowid-tables",
  sql: `
    CREATE TABLE blackboard_new (
      id INTEGER PRIMARY KEY,
      key TEXT NOT NULL UNIQUE,
      value TEXT,
      version INTEGER NOT NULL,
      owner TEXT NOT NULL,
      updated_by TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      expires_at INTEGER,
      deleted INTEGER NOT NULL DEFAULT 0
    );
    INSERT INTO blackboard_new (key, value, version, owner, updated_by, created_at, updated_at, expires_at, deleted)
      SELECT key, value, version, owner, updated_by, created_at, updated_at, expires_at, deleted FROM blackboard ORDER BY key;
    DROP TABLE blackboard;
    ALTER TABLE blackboard_new RENAME TO blackboard;
    CREATE INDEX blackboard_expires ON blackboard(expires_at) WHERE expires_at IS NOT NULL;
    CREATE INDEX blackboard_tombstones ON blackboard(updated_at) WHERE deleted = 1;

    CREATE TABLE blackboard_versions_new (
      id INTEGER PRIMARY KEY,
      key TEXT NOT NULL,
      version INTEGER NOT NULL,
      op TEXT NOT NULL,
      value TEXT,
      by TEXT NOT NULL,
      at INTEGER NOT NULL,
      UNIQUE (key, version)
    );
    INSERT INTO blackboard_versions_new (key, version, op, value, by, at)
      SELECT key, version, op, value, by, at FROM blackboard_versions ORDER BY key, version;
    DROP TABLE blackboard_versions;
    ALTER TABLE blackboard_versions_new RENAME TO blackboard_versions;

    CREATE TABLE key_counts (owner TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
    INSERT INTO key_counts (owner, n) SELECT owner, COUNT(*) FROM blackboard WHERE deleted = 0 GROUP BY owner;
    CREATE TRIGGER key_counts_insert AFTER INSERT ON blackboard WHEN NEW.deleted = 0 BEGIN
      INSERT INTO key_counts (owner, n) VALUES (NEW.owner, 1) ON CONFLICT(owner) DO UPDATE SET n = n + 1;
    END;
    CREATE TRIGGER key_counts_update AFTER UPDATE OF owner, deleted ON blackboard
      WHEN OLD.owner IS NOT NEW.owner OR OLD.deleted IS NOT NEW.deleted BEGIN
      UPDATE key_counts SET n = n - 1 WHERE OLD.deleted = 0 AND owner = OLD.owner;
      INSERT INTO key_counts (owner, n) SELECT NEW.owner, 1 WHERE NEW.deleted = 0
        ON CONFLICT(owner) DO UPDATE SET n = n + 1;
    END;
    CREATE TRIGGER key_counts_delete AFTER DELETE ON blackboard WHEN OLD.deleted = 0 BEGIN
      UPDATE key_counts SET n = n - 1 WHERE owner = OLD.owner;
    END;

    ALTER TABLE inbox ADD COLUMN next_attempt_at INTEGER NOT NULL DEFAULT 0;
  `,
};
