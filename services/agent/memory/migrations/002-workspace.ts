import type { Migration } from "../../../common/sqlite/migrate.js";

/** Workspace search: one row per indexed file (mtime/size for incremental updates), chunks and their FTS5. */
export const migration002: Migration = {
  version: 2,
  name: "workspace-index",
  sql: `
CREATE TABLE ws_files (
  path TEXT PRIMARY KEY,
  mtime_ms INTEGER NOT NULL,
  size INTEGER NOT NULL,
  chunks INTEGER NOT NULL
);
CREATE TABLE ws_chunks (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  path TEXT NOT NULL,
  start_line INTEGER NOT NULL,
  text TEXT NOT NULL
);
CREATE INDEX ws_chunks_by_path ON ws_chunks (path);
CREATE VIRTUAL TABLE ws_fts USING fts5(
  text, content='ws_chunks', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER ws_fts_insert AFTER INSERT ON ws_chunks BEGIN
  INSERT INTO ws_fts (rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER ws_fts_delete AFTER DELETE ON ws_chunks BEGIN
  INSERT INTO ws_fts (ws_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
`,
};
