import type { Migration } from "../../../common/sqlite/migrate.js";

export const migration001: Migration = {
  version: 1,
  name: "initial",
  sql: `
CREATE TABLE messages (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  conversation TEXT NOT NULL,
  role TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX messages_by_conversation ON messages (conversation, id);

CREATE TABLE tasks (
  id TEXT PRIMARY KEY,
  idempotency_key TEXT UNIQUE,
  request_hash TEXT NOT NULL,
  prompt TEXT NOT NULL,
  sender TEXT NOT NULL,
  status TEXT NOT NULL,
  reply TEXT NOT NULL DEFAULT '',
  error_code TEXT,
  error_message TEXT,
  calls INTEGER NOT NULL DEFAULT 0,
  tool_calls INTEGER NOT NULL DEFAULT 0,
  input_tokens INTEGER NOT NULL DEFAULT 0,
  output_tokens INTEGER NOT NULL DEFAULT 0,
  models TEXT NOT NULL DEFAULT '[]',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX tasks_by_created ON tasks (created_at);

CREATE TABLE inbox_seen (
  message_id INTEGER PRIMARY KEY,
  received_at INTEGER NOT NULL
);
`,
};
