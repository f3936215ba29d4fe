import type { Migration } from "../../../common/sqlite/migrate.js";

/**
 * Facts with history (superseded rows stay, pointing at their successor), an external-content FTS5
 * index that holds only current facts, and the key/value `memory_meta` table (vector index identity).
 * The vec0 table is created by the store, because its dimension comes from configuration.
 */
export const migration001: Migration = {
  version: 1,
  name: "facts",
  sql: `
CREATE TABLE facts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  key TEXT,
  text TEXT NOT NULL,
  norm TEXT NOT NULL,
  category TEXT NOT NULL,
  source TEXT NOT NULL,
  salience REAL NOT NULL DEFAULT 0.5,
  access_count INTEGER NOT NULL DEFAULT 0,
  last_access INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  superseded_by INTEGER REFERENCES facts(id),
  superseded_at INTEGER,
  embedded INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX facts_current_norm ON facts (norm) WHERE superseded_by IS NULL;
CREATE INDEX facts_current_key ON facts (key) WHERE superseded_by IS NULL AND key IS NOT NULL;
CREATE INDEX facts_by_key ON facts (key, id) WHERE key IS NOT NULL;
CREATE INDEX facts_current_category ON facts (category) WHERE superseded_by IS NULL;
CREATE INDEX facts_unembedded ON facts (id) WHERE embedded = 0 AND superseded_by IS NULL;
CREATE INDEX facts_salient ON facts (salience DESC, access_count DESC) WHERE superseded_by IS NULL;

CREATE VIRTUAL TABLE facts_fts USING fts5(
  text, key, content='facts', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER facts_fts_insert AFTER INSERT ON facts WHEN new.superseded_by IS NULL BEGIN
  INSERT INTO facts_fts (rowid, text, key) VALUES (new.id, new.text, coalesce(new.key, ''));
END;
-- One update trigger, so the delete of the old tokens always runs before the insert of the new ones.
CREATE TRIGGER facts_fts_update AFTER UPDATE OF text, key, superseded_by ON facts BEGIN
  INSERT INTO facts_fts (facts_fts, rowid, text, key)
    SELECT 'delete', old.id, old.text, coalesce(old.key, '') WHERE old.superseded_by IS NULL;
  INSERT INTO facts_fts (rowid, text, key)
    SELECT new.id, new.text, coalesce(new.key, '') WHERE new.superseded_by IS NULL;
END;
CREATE TRIGGER facts_fts_delete AFTER DELETE ON facts WHEN old.superseded_by IS NULL BEGIN
  INSERT INTO facts_fts (facts_fts, rowid, text, key) VALUES ('delete', old.id, old.text, coalesce(old.key, ''));
END;

CREATE TABLE memory_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
`,
};
