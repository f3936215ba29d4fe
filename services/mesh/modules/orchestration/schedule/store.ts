import type Database from "better-sqlite3";
import { z } from "zod";
import { type ToolJob, toolJobSchema } from "../../../../common/contracts/mesh-api.js";

export const scheduleRowSchema = z.object({
  id: z.string(),
  source: z.enum(["config", "agent"]),
  agent: z.string(),
  spec: z.string(),
  timezone: z.string(),
  message: z.string(),
  workflow: z.string().nullable(),
  catch_up: z.enum(["skip", "once", "all"]),
  jitter_ms: z.number(),
  enabled: z.number(),
  next_run_at: z.number().nullable(),
  last_slot_at: z.number().nullable(),
  last_fired_at: z.number().nullable(),
  missed_total: z.number(),
  fires: z.number(),
  definition_hash: z.string(),
  created_at: z.number(),
  paused: z.number(),
  tool_name: z.string().nullable(),
  tool_params_json: z.string().nullable(),
  errors: z.number(),
  last_error: z.string().nullable(),
  last_outcome: z.string().nullable(),
});
export type ScheduleRow = z.output<typeof scheduleRowSchema>;
export type NewSchedule = Omit<
  ScheduleRow,
  | "last_slot_at"
  | "last_fired_at"
  | "missed_total"
  | "fires"
  | "enabled"
  | "paused"
  | "errors"
  | "last_error"
  | "last_outcome"
>;

/** A row's tool job, or null for a message schedule. */
export function toolOf(row: ScheduleRow): ToolJob | null {
  if (row.tool_name === null) return null;
  return toolJobSchema.parse({ name: row.tool_name, params: JSON.parse(row.tool_params_json ?? "{}") });
}

/** Persisted schedules (config and agents' set_cron): survives restarts, so nothing double-fires. */
export class ScheduleStore {
  readonly #s;
  readonly db: Database.Database;
  constructor(db: Database.Database) {
    this.db = db;
    const p = (sql: string) => db.prepare(sql);
    this.#s = {
      upsert:
        p(`INSERT INTO schedules (id, source, agent, spec, timezone, message, workflow, catch_up, jitter_ms, enabled,
        next_run_at, definition_hash, created_at, tool_name, tool_params_json) VALUES (@id, @source, @agent, @spec,
        @timezone, @message, @workflow, @catch_up, @jitter_ms, 1, @next_run_at, @definition_hash, @created_at,
        @tool_name, @tool_params_json)
        ON CONFLICT(id) DO UPDATE SET agent=excluded.agent, spec=excluded.spec, timezone=excluded.timezone,
        message=excluded.message, workflow=excluded.workflow, catch_up=excluded.catch_up, jitter_ms=excluded.jitter_ms,
        enabled=1, next_run_at=excluded.next_run_at, definition_hash=excluded.definition_hash,
        tool_name=excluded.tool_name, tool_params_json=excluded.tool_params_json`),
      setPaused: p("UPDATE schedules SET paused = ?, next_run_at = ? WHERE id = ?"),
      error: p(
        "UPDATE schedules SET errors = errors + 1, last_error = ?, last_outcome = 'error' WHERE id = ?",
      ),
      outcome: p("UPDATE schedules SET last_outcome = ? WHERE id = ?"),
      get: p("SELECT * FROM schedules WHERE id = ?"),
      remove: p("DELETE FROM schedules WHERE id = ?"),
      bySource: p("SELECT * FROM schedules WHERE source = ? ORDER BY id"),
      byAgent: p("SELECT * FROM schedules WHERE agent = ? ORDER BY id"),
      countAgent: p("SELECT COUNT(*) AS n FROM schedules WHERE agent = ? AND source = 'agent'"),
      due: p(
        "SELECT * FROM schedules WHERE enabled = 1 AND paused = 0 AND next_run_at IS NOT NULL AND next_run_at <= ? ORDER BY next_run_at LIMIT ?",
      ),
      nextDue: p("SELECT MIN(next_run_at) AS at FROM schedules WHERE enabled = 1 AND paused = 0"),
      advance:
        p(`UPDATE schedules SET next_run_at=@next_run_at, last_slot_at=COALESCE(@last_slot_at, last_slot_at),
        last_fired_at=COALESCE(@last_fired_at, last_fired_at), missed_total=missed_total+@missed, fires=fires+@fired,
        enabled=@enabled WHERE id=@id`),
      all: p("SELECT * FROM schedules ORDER BY id"),
    };
  }

  upsert(row: NewSchedule): void {
    this.#s.upsert.run(row);
  }
  get(id: string): ScheduleRow | undefined {
    const r = this.#s.get.get(id);
    return r === undefined ? undefined : scheduleRowSchema.parse(r);
  }
  /** Pause (next_run_at kept for display) or resume (next_run_at recomputed by the caller). */
  setPaused(id: string, paused: boolean, nextRunAt: number | null): void {
    this.#s.setPaused.run(paused ? 1 : 0, nextRunAt, id);
  }
  recordError(id: string, message: string): void {
    this.#s.error.run(message.slice(0, 500), id);
  }
  recordOutcome(id: string, outcome: "ok" | "nothing_to_report"): void {
    this.#s.outcome.run(outcome, id);
  }
  remove(id: string): boolean {
    return this.#s.remove.run(id).changes > 0;
  }
  bySource(source: "config" | "agent"): ScheduleRow[] {
    return this.#s.bySource.all(source).map((r) => scheduleRowSchema.parse(r));
  }
  byAgent(agent: string): ScheduleRow[] {
    return this.#s.byAgent.all(agent).map((r) => scheduleRowSchema.parse(r));
  }
  all(): ScheduleRow[] {
    return this.#s.all.all().map((r) => scheduleRowSchema.parse(r));
  }
  countForAgent(agent: string): number {
    return (this.#s.countAgent.get(agent) as { n: number }).n;
  }
  due(now: number, limit: number): ScheduleRow[] {
    return this.#s.due.all(now, limit).map((r) => scheduleRowSchema.parse(r));
  }
  nextDue(): number | undefined {
    return (this.#s.nextDue.get() as { at: number | null }).at ?? undefined;
  }
  advance(u: {
    id: string;
    next_run_at: number | null;
    last_slot_at: number | null;
    last_fired_at: number | null;
    missed: number;
    fired: number;
  }): void {
    this.#s.advance.run({ ...u, enabled: u.next_run_at === null ? 0 : 1 });
  }
}
