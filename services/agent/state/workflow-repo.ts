import type Database from "better-sqlite3";
import { z } from "zod";
import { type WorkflowResult, workflowResultSchema } from "../../common/contracts/mesh-api.js";

/** Rows kept; older finished attempts are pruned (the mesh never redelivers a key that old). */
export const WORKFLOW_KEEP = 5_000;

export type WorkflowTaskStatus = "running" | "done" | "interrupted";

const rowSchema = z.object({
  dispatch_key: z.string(),
  run_id: z.string(),
  step_id: z.string(),
  attempt: z.int(),
  status: z.enum(["running", "done", "interrupted"]),
  outcome: z
    .string()
    .nullable()
    .transform((s) => (s === null ? null : workflowResultSchema.parse(JSON.parse(s)))),
  reported: z.int().transform((n) => n === 1),
});
export type WorkflowTaskRow = z.output<typeof rowSchema>;

/**
 * The workflow attempts of the agent's database (shares AgentStore's connection): the dispatch key is
 * the idempotency key, so a redelivered step is answered from here instead of being run twice.
 */
export class WorkflowRepo {
  readonly #now: () => number;
  readonly #s;

  constructor(db: Database.Database, now: () => number = Date.now) {
    this.#now = now;
    this.#s = {
      get: db.prepare("SELECT * FROM workflow_tasks WHERE dispatch_key = ?"),
      begin: db.prepare(
        `INSERT INTO workflow_tasks (dispatch_key, run_id, step_id, attempt, status, created_at, updated_at)
         VALUES (?, ?, ?, ?, 'running', ?, ?)
         ON CONFLICT (dispatch_key) DO UPDATE SET status = 'running', outcome = NULL, reported = 0, updated_at = excluded.updated_at
         WHERE workflow_tasks.status = 'interrupted'`,
      ),
      finish: db.prepare(
        "UPDATE workflow_tasks SET status = 'done', outcome = ?, reported = 0, updated_at = ? WHERE dispatch_key = ?",
      ),
      reported: db.prepare("UPDATE workflow_tasks SET reported = 1, updated_at = ? WHERE dispatch_key = ?"),
      interrupt: db.prepare(
        "UPDATE workflow_tasks SET status = 'interrupted', updated_at = ? WHERE status = 'running'",
      ),
      unreported: db.prepare(
        "SELECT * FROM workflow_tasks WHERE status = 'done' AND reported = 0 ORDER BY created_at LIMIT ?",
      ),
      prune: db.prepare(
        "DELETE FROM workflow_tasks WHERE dispatch_key IN (SELECT dispatch_key FROM workflow_tasks ORDER BY created_at DESC LIMIT -1 OFFSET ?)",
      ),
    };
  }

  get(key: string): WorkflowTaskRow | undefined {
    const row = this.#s.get.get(key);
    return row === undefined ? undefined : rowSchema.parse(row);
  }

  /** Claims the key for a run: true when new (or left interrupted by a previous process). */
  begin(t: { dispatch_key: string; run_id: string; step_id: string; attempt: number }): boolean {
    const now = this.#now();
    const fresh = this.#s.begin.run(t.dispatch_key, t.run_id, t.step_id, t.attempt, now, now).changes === 1;
    if (fresh) this.#s.prune.run(WORKFLOW_KEEP);
    return fresh;
  }

  finish(key: string, outcome: WorkflowResult): void {
    this.#s.finish.run(JSON.stringify(outcome), this.#now(), key);
  }

  markReported(key: string): void {
    this.#s.reported.run(this.#now(), key);
  }

  /** At boot: attempts the previous process was running have no result; a redelivery runs them again. */
  interruptRunning(): number {
    return this.#s.interrupt.run(this.#now()).changes;
  }

  /** Finished attempts whose result the mesh has not acknowledged (resent at boot). */
  unreported(limit = 100): WorkflowTaskRow[] {
    return this.#s.unreported.all(limit).map((r) => rowSchema.parse(r));
  }
}
