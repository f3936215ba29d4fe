import type { Migration } from "../../../common/sqlite/migrate.js";

/** Orchestration: workflow runs, their steps, the dispatch outbox and the run event log. */
export const migration004: Migration = {
  version: 4,
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
