import { createHash } from "node:crypto";
import { canonicalJson } from "../../../../common/canonical-json.js";
import type { ToolJob } from "../../../../common/contracts/mesh-api.js";
import { type CatchUp, planDue } from "./plan.js";
import { jitterOffset, nextSlot, parseSpec } from "./spec.js";
import type { ScheduleRow, ScheduleStore } from "./store.js";

export interface ScheduleInput {
  id: string;
  source: "config" | "agent";
  agent: string;
  spec: string;
  timezone: string;
  message: string;
  workflow: string | null;
  catch_up: CatchUp;
  jitter_ms: number;
  /** A tool job: the agent calls this tool without waking the model (message unused). */
  tool?: ToolJob | null;
}

/** One fire: called inside the schedule's transaction, so the hand-off and the advance commit together. */
export type FireFn = (row: ScheduleRow, slot: number, key: string, missed: number) => void;

export interface SchedulerDeps {
  store: ScheduleStore;
  clock: { now(): number };
  fire: FireFn;
  grace_ms?: number;
  tick_ms?: number;
  max_catchup?: number;
  onError?: (error: unknown, id: string) => void;
}

/** Idempotency key of one slot: sha256(schedule_id ‖ slot ISO time). */
export const slotKey = (id: string, slot: number): string =>
  createHash("sha256")
    .update(`${id}\u0000${new Date(slot).toISOString()}`)
    .digest("hex");

/**
 * The scheduler loop over the persisted `schedules` table (research/mesh.md §3.2): croner only
 * computes slots; the loop sleeps until the earliest `next_run_at` but at most `tick_ms` (≤ 5 s, the
 * seed's cron tick), fires due slots in one transaction each and advances from the slot, not from now.
 */
export class Scheduler {
  #timer: NodeJS.Timeout | undefined;
  #running = false;

  private readonly deps: SchedulerDeps;

  constructor(deps: SchedulerDeps) {
    this.deps = deps;
  }

  /** Creates or updates a schedule; a changed definition restarts its slots from now. */
  put(input: ScheduleInput): ScheduleRow {
    const spec = parseSpec(input.spec, input.timezone);
    const hash = createHash("sha256").update(canonicalJson(input)).digest("hex");
    const { store, clock } = this.deps;
    const existing = store.get(input.id);
    if (!existing || existing.definition_hash !== hash || existing.enabled === 0) {
      const now = clock.now();
      const { tool, ...rest } = input;
      store.upsert({
        ...rest,
        tool_name: tool?.name ?? null,
        tool_params_json: tool ? JSON.stringify(tool.params) : null,
        next_run_at: nextSlot(spec, now, jitterOffset(input.id, input.jitter_ms)) ?? null,
        definition_hash: hash,
        created_at: existing?.created_at ?? now,
      });
    }
    return store.get(input.id) as ScheduleRow;
  }

  /** Pauses (no slot fires; missed slots are skipped) or resumes from the next slot after now. */
  setPaused(row: ScheduleRow, paused: boolean): ScheduleRow {
    const { store, clock } = this.deps;
    const next = paused
      ? row.next_run_at
      : (nextSlot(parseSpec(row.spec, row.timezone), clock.now(), jitterOffset(row.id, row.jitter_ms)) ??
        null);
    store.setPaused(row.id, paused, next);
    return store.get(row.id) as ScheduleRow;
  }

  /** Makes config-sourced schedules match the config; agents' schedules are left alone. */
  syncConfig(inputs: readonly ScheduleInput[]): void {
    const { store } = this.deps;
    store.db
      .transaction(() => {
        const keep = new Set(inputs.map((i) => i.id));
        for (const row of store.bySource("config")) if (!keep.has(row.id)) store.remove(row.id);
        for (const input of inputs) this.put(input);
      })
      .immediate();
  }

  /** Fires every due schedule. Returns the number of fires. */
  tick(): number {
    const { store, clock } = this.deps;
    const now = clock.now();
    let fired = 0;
    for (const row of store.due(now, 200)) {
      try {
        fired += store.db.transaction(() => this.#fireRow(row, now)).immediate();
      } catch (error) {
        this.deps.onError?.(error, row.id);
      }
    }
    return fired;
  }

  #fireRow(row: ScheduleRow, now: number): number {
    const spec = parseSpec(row.spec, row.timezone);
    const plan = planDue({
      spec,
      nextRunAt: row.next_run_at as number,
      now,
      offset: jitterOffset(row.id, row.jitter_ms),
      catchUp: row.catch_up,
      graceMs: this.deps.grace_ms ?? 60_000,
      maxCatchup: this.deps.max_catchup ?? 10,
    });
    for (const slot of plan.fire) {
      // A fire that fails (workflow refused, inbox full) counts as the schedule's error; the slot is spent.
      try {
        this.deps.fire(row, slot, slotKey(row.id, slot), plan.missed);
      } catch (error) {
        this.deps.store.recordError(row.id, error instanceof Error ? error.message : String(error));
        this.deps.onError?.(error, row.id);
      }
    }
    const last = plan.fire.at(-1) ?? plan.skipped.at(-1) ?? null;
    this.deps.store.advance({
      id: row.id,
      next_run_at: plan.next ?? null,
      last_slot_at: last,
      last_fired_at: plan.fire.length > 0 ? now : null,
      missed: plan.missed,
      fired: plan.fire.length,
    });
    return plan.fire.length;
  }

  start(): void {
    this.#running = true;
    this.#loop();
  }

  #loop(): void {
    if (!this.#running) return;
    if (this.deps.store.db.open) this.tick();
    const tickMs = this.deps.tick_ms ?? 5_000;
    const next = this.deps.store.db.open ? this.deps.store.nextDue() : undefined;
    const wait = next === undefined ? tickMs : Math.min(Math.max(next - this.deps.clock.now(), 0), tickMs);
    this.#timer = setTimeout(() => this.#loop(), Math.max(wait, 10));
    this.#timer.unref();
  }

  stop(): void {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
  }
}
