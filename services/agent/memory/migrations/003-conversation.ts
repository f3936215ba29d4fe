import type { Migration } from "../../../common/sqlite/migrate.js";

/**
 * Context-manager state per conversation: the stored compaction summary (so a restart resumes from it),
 * how many transcript messages it covers, and where the last 60 % flush happened (once per cycle).
 */
export const migration003: Migration = {
  version: 3,
  name: "conversation-state",
  sql: `
CREATE TABLE conversation_state (
  conversation TEXT PRIMARY KEY,
  summary TEXT NOT NULL DEFAULT '',
  covered INTEGER NOT NULL DEFAULT 0,
  compactions INTEGER NOT NULL DEFAULT 0,
  flushed_at INTEGER NOT NULL DEFAULT -1,
  facts_saved INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL
);
`,
};
