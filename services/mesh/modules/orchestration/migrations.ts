import type Database from "better-sqlite3";
import { type Migration, migrate } from "../../../common/sqlite/migrate.js";

const m001: Migration = {
  version: 1,
  name: "workflows",
  sql: `
    CREATE TABLE workflow_runs (
      id TEXT PRIMARY KEY,
      workflow_name TEXT NOT NULL,
      definition_hash TEXT NOT NULL,
      definition_json TEXT NOT NULL,
      inputs_json TEXT NOT NULL,
      trigger_json TEXT NOT NULL,
      status TEXT NOT NULL,
      phase TEXT NOT NULL,
      outcome TEXT,
      fail_fast_tripped INTEGER NOT NULL DEFAULT 0,
      first_failure TEXT,
      deadline_at INTEGER NOT NULL,
      created_at INTEGER NOT NULL,
      finished_at INTEGER,
      wake_at INTEGER,
      version INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX workflow_runs_active ON workflow_runs(wake_at) WHERE status = 'running';
    CREATE INDEX workflow_runs_name ON workflow_runs(workflow_name, created_at);

    CREATE TABLE step_runs (
      run_id TEXT NOT NULL REFERENCES workflow_runs(id) ON DELETE CASCADE,
      step_id TEXT NOT NULL,
      seq INTEGER NOT NULL,
      def_id TEXT NOT NULL,
      kind TEXT NOT NULL,
      status TEXT NOT NULL,
      conclusion TEXT,
      reason TEXT,
      attempt INTEGER NOT NULL,
      dispatch_key TEXT,
      next_attempt_at INTEGER,
      timeout_at INTEGER,
      deadline_at INTEGER,
      input_json TEXT,
      result_json TEXT,
      error_json TEXT,
      context_json TEXT,
      started_at INTEGER,
      finished_at INTEGER,
      PRIMARY KEY (run_id, step_id)
    ) WITHOUT ROWID;
    CREATE INDEX step_runs_key ON step_runs(dispatch_key) WHERE dispatch_key IS NOT NULL;

    CREATE TABLE outbox (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      run_id TEXT NOT NULL,
      step_id TEXT NOT NULL,
      attempt INTEGER NOT NULL,
      dispatch_key TEXT NOT NULL UNIQUE,
      kind TEXT NOT NULL,
      agent TEXT,
      payload_json TEXT NOT NULL,
      state TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      sent_at INTEGER,
      acked_at INTEGER,
      sends INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX outbox_pending ON outbox(id) WHERE state = 'pending';

    CREATE TABLE run_events (
      run_id TEXT NOT NULL,
      seq INTEGER NOT NULL,
      type TEXT NOT NULL,
      step_id TEXT,
      data_json TEXT,
      at INTEGER NOT NULL,
      PRIMARY KEY (run_id, seq)
    ) WITHOUT ROWID;
  `,
};

const m002: Migration = {
  version: 2,
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

const m003: Migration = {
  version: 3,
  name: "concurrency-heartbeat-settings",
  sql: `
    ALTER TABLE workflow_runs ADD COLUMN concurrency_key TEXT;
    CREATE INDEX workflow_runs_concurrency ON workflow_runs(workflow_name, concurrency_key)
      WHERE status = 'running' AND concurrency_key IS NOT NULL;

    CREATE TABLE workflow_queue (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      run_id TEXT NOT NULL UNIQUE,
      workflow_name TEXT NOT NULL,
      concurrency_key TEXT NOT NULL,
      inputs_json TEXT NOT NULL,
      trigger_json TEXT NOT NULL,
      created_at INTEGER NOT NULL
    );
    CREATE INDEX workflow_queue_key ON workflow_queue(workflow_name, concurrency_key, seq);

    CREATE TABLE heartbeat_settings (
      agent TEXT PRIMARY KEY,
      enabled INTEGER NOT NULL,
      every_ms INTEGER NOT NULL,
      probes_json TEXT NOT NULL,
      updated_at INTEGER NOT NULL
    ) WITHOUT ROWID;
  `,
};

/**
 * The orchestration module's own numbered migrations, recorded in `orch_schema_version` so they
 * never collide with the mesh core's `schema_version` numbering. Run by services/common/sqlite/migrate.ts.
 */
export const ORCH_MIGRATIONS: readonly Migration[] = [m001, m002, m003];

/** Applies the orchestration migrations to the mesh database, versioned in `orch_schema_version`. */
export function migrateOrchestration(db: Database.Database, migrations = ORCH_MIGRATIONS): number {
  return migrate(db, migrations, { table: "orch_schema_version" });
}
