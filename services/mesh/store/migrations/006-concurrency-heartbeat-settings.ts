import type { Migration } from "../../../common/sqlite/migrate.js";

/** Orchestration: workflow concurrency keys and their queue, agents' own heartbeat settings. */
export const migration006: Migration = {
  version: 6,
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
