import type { Migration } from "../../../common/sqlite/migrate.js";

/**
 * Orchestration, seed parity (issue 22): a step that fell back to its `fallback_agent`; schedules that
 * are paused, call one tool instead of the model, and count their errors; webhooks that count deliveries.
 */
export const migration008: Migration = {
  version: 8,
  name: "parity",
  sql: `
    ALTER TABLE step_runs ADD COLUMN fallback INTEGER NOT NULL DEFAULT 0;

    ALTER TABLE schedules ADD COLUMN paused INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE schedules ADD COLUMN tool_name TEXT;
    ALTER TABLE schedules ADD COLUMN tool_params_json TEXT;
    ALTER TABLE schedules ADD COLUMN errors INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE schedules ADD COLUMN last_error TEXT;
    ALTER TABLE schedules ADD COLUMN last_outcome TEXT;
    DROP INDEX schedules_due;
    CREATE INDEX schedules_due ON schedules(next_run_at) WHERE enabled = 1 AND paused = 0;

    ALTER TABLE webhook_state ADD COLUMN deliveries INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE webhook_state ADD COLUMN last_delivery_at INTEGER;
  `,
};
