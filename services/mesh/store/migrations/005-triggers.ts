import type { Migration } from "../../../common/sqlite/migrate.js";

/** Orchestration triggers: schedules, webhook replay guard and secret generations, watcher file state, heartbeat ticks. */
export const migration005: Migration = {
  version: 5,
  name: "triggers",
  sql: `
    CREATE TABLE schedules (
      id TEXT PRIMARY KEY,
      source TEXT NOT NULL,
      agent TEXT NOT NULL,
      spec TEXT NOT NULL,
      timezone TEXT NOT NULL,
      message TEXT NOT NULL,
      workflow TEXT,
      catch_up TEXT NOT NULL,
      jitter_ms INTEGER NOT NULL DEFAULT 0,
      enabled INTEGER NOT NULL DEFAULT 1,
      next_run_at INTEGER,
      last_slot_at INTEGER,
      last_fired_at INTEGER,
      missed_total INTEGER NOT NULL DEFAULT 0,
      fires INTEGER NOT NULL DEFAULT 0,
      definition_hash TEXT NOT NULL,
      created_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX schedules_due ON schedules(next_run_at) WHERE enabled = 1;

    CREATE TABLE webhook_deliveries (
      hook TEXT NOT NULL,
      delivery_id TEXT NOT NULL,
      received_at INTEGER NOT NULL,
      PRIMARY KEY (hook, delivery_id)
    ) WITHOUT ROWID;
    CREATE INDEX webhook_deliveries_age ON webhook_deliveries(received_at);

    CREATE TABLE webhook_state (
      hook TEXT PRIMARY KEY,
      generation INTEGER NOT NULL,
      previous_valid_until INTEGER
    ) WITHOUT ROWID;

    CREATE TABLE watcher_files (
      watcher TEXT NOT NULL,
      path TEXT NOT NULL,
      size INTEGER NOT NULL,
      mtime_ms INTEGER NOT NULL,
      reported INTEGER NOT NULL,
      PRIMARY KEY (watcher, path)
    ) WITHOUT ROWID;

    CREATE TABLE heartbeat_ticks (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      agent TEXT NOT NULL,
      at INTEGER NOT NULL,
      probes_json TEXT NOT NULL,
      decision TEXT NOT NULL,
      reason TEXT NOT NULL,
      cost_usd REAL
    );
    CREATE INDEX heartbeat_ticks_agent ON heartbeat_ticks(agent, at);
  `,
};
