import type { Migration } from "../../../common/sqlite/migrate.js";

/** Blackboard, key versions, watches, subscriptions, inbox, audit. */
export const migration001: Migration = {
  version: 1,
  name: "initial",
  sql: `
    CREATE TABLE blackboard (
      key TEXT PRIMARY KEY,
      value TEXT,
      version INTEGER NOT NULL,
      owner TEXT NOT NULL,
      updated_by TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      expires_at INTEGER,
      deleted INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID;
    CREATE INDEX blackboard_expires ON blackboard(expires_at) WHERE expires_at IS NOT NULL;
    CREATE INDEX blackboard_owner ON blackboard(owner) WHERE deleted = 0;
    CREATE INDEX blackboard_tombstones ON blackboard(updated_at) WHERE deleted = 1;

    CREATE TABLE blackboard_versions (
      key TEXT NOT NULL,
      version INTEGER NOT NULL,
      op TEXT NOT NULL,
      value TEXT,
      by TEXT NOT NULL,
      at INTEGER NOT NULL,
      PRIMARY KEY (key, version)
    ) WITHOUT ROWID;

    CREATE TABLE watches (
      agent TEXT NOT NULL,
      prefix TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      PRIMARY KEY (agent, prefix)
    ) WITHOUT ROWID;

    CREATE TABLE subscriptions (
      agent TEXT NOT NULL,
      topic TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      PRIMARY KEY (agent, topic)
    ) WITHOUT ROWID;
    CREATE INDEX subscriptions_topic ON subscriptions(topic, agent);

    CREATE TABLE inbox (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      agent TEXT NOT NULL,
      kind TEXT NOT NULL,
      sender TEXT NOT NULL,
      topic TEXT,
      lane TEXT NOT NULL,
      payload TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      state TEXT NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      delivered_at INTEGER
    );
    CREATE INDEX inbox_agent_state ON inbox(agent, state, id);
    CREATE INDEX inbox_delivered ON inbox(delivered_at) WHERE state = 'delivered';

    CREATE TABLE audit (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      at INTEGER NOT NULL,
      actor TEXT NOT NULL,
      action TEXT NOT NULL,
      target TEXT NOT NULL,
      outcome TEXT NOT NULL,
      code TEXT,
      detail TEXT
    );
    CREATE INDEX audit_at ON audit(at);
    CREATE INDEX audit_actor ON audit(actor, id);
  `,
};
