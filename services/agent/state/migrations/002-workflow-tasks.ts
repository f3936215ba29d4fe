import type { Migration } from "../../../common/sqlite/migrate.js";

/** Workflow step attempts by dispatch key: what ran, its outcome, and whether the mesh has it. */
export const migration002: Migration = {
  version: 2,
  name: "workflow_tasks",
  sql: `
CREATE TABLE workflow_tasks (
  dispatch_key TEXT PRIMARY KEY,
  run_id TEXT NOT NULL,
  step_id TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  status TEXT NOT NULL,
  outcome TEXT,
  reported INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX workflow_tasks_unreported ON workflow_tasks (reported, status);
CREATE INDEX workflow_tasks_by_age ON workflow_tasks (created_at);
`,
};
