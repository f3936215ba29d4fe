import { randomUUID } from "node:crypto";
import type Database from "better-sqlite3";
import type { Json } from "../cel.js";
import { OrchErrors } from "../errors.js";
import { definitionHash, type WorkflowDef } from "./definition.js";
import { apply, createRun } from "./engine.js";
import { resolveInputs } from "./inputs.js";
import type { OutboxRow, WorkflowStore } from "./store.js";
import type { Effect, Snapshot, StepError, Trigger, WorkflowEvent } from "./types.js";

/** Performs one outbox intent. Throwing (or rejecting) means it was not handed over. */
export interface EffectSink {
  deliver(row: OutboxRow, effect: Effect): void | Promise<void>;
}

export interface LoadedDefinition {
  def: WorkflowDef;
  hash: string;
  source: Json;
}

export interface RunnerLimits {
  max_active_runs: number;
  outbox_batch: number;
  max_result_bytes: number;
  /** The loop re-reads the clock at least this often (survives suspend and clock jumps). */
  max_sleep_ms: number;
}
export const DEFAULT_RUNNER_LIMITS: RunnerLimits = {
  max_active_runs: 1000,
  outbox_batch: 100,
  max_result_bytes: 256 * 1024,
  max_sleep_ms: 60_000,
};

export function loaded(def: WorkflowDef, source: Json): LoadedDefinition {
  return { def, hash: definitionHash(def), source };
}

/**
 * Drives the pure engine against the store: every transition and its outbox intents commit in one
 * IMMEDIATE transaction before any effect runs (transactional outbox); effects are drained after.
 */
export class WorkflowRunner {
  readonly #limits: RunnerLimits;
  #timer: NodeJS.Timeout | undefined;
  #draining: Promise<number> | undefined;
  #again = false;
  #running = false;

  constructor(
    private readonly deps: {
      db: Database.Database;
      store: WorkflowStore;
      clock: { now(): number };
      sink: EffectSink;
      workflows: ReadonlyMap<string, LoadedDefinition>;
      random?: () => number;
      limits?: Partial<RunnerLimits>;
      onError?: (error: unknown) => void;
    },
  ) {
    this.#limits = { ...DEFAULT_RUNNER_LIMITS, ...deps.limits };
  }

  get workflows(): ReadonlyMap<string, LoadedDefinition> {
    return this.deps.workflows;
  }

  #env() {
    return { now: this.deps.clock.now(), random: this.deps.random ?? Math.random };
  }

  /** Starts a run (validated inputs, definition snapshot) and returns its initial snapshot. */
  start(name: string, given: Record<string, Json>, trigger: Trigger): Snapshot {
    const wf = this.deps.workflows.get(name);
    if (!wf) throw OrchErrors.unknownWorkflow(name);
    const resolved = resolveInputs(wf.def.inputs, given);
    if ("issues" in resolved) throw OrchErrors.badInputs(name, resolved.issues);
    const snap = this.deps.db
      .transaction(() => {
        if (this.deps.store.activeCount() >= this.#limits.max_active_runs)
          throw OrchErrors.runLimit(this.#limits.max_active_runs);
        const env = this.#env();
        const initial = createRun({
          id: randomUUID(),
          def: wf.def,
          hash: wf.hash,
          inputs: resolved.inputs,
          trigger,
          now: env.now,
        });
        this.deps.store.insertRun(initial, wf.source, undefined);
        const t = apply(initial, { type: "start" }, env);
        this.deps.store.save(t, env.now);
        return t.snapshot;
      })
      .immediate();
    this.kick();
    return snap;
  }

  /** Applies one event to one run, atomically. */
  handle(runId: string, event: WorkflowEvent): Snapshot {
    const snap = this.deps.db
      .transaction(() => {
        const current = this.deps.store.load(runId);
        if (!current) throw OrchErrors.unknownRun(runId);
        const env = this.#env();
        const t = apply(current, event, env);
        this.deps.store.save(t, env.now);
        return t.snapshot;
      })
      .immediate();
    this.kick();
    return snap;
  }

  /**
   * A step result from an agent, addressed by dispatch key. Fencing: a key that is not the step's
   * current attempt is discarded. `agent` (when known) must be the agent the step was sent to.
   */
  report(
    key: string,
    agent: string | null,
    outcome: { ok: true; result: Json } | { ok: false; error: StepError },
  ): { accepted: boolean; run_id: string; step_id: string } {
    const where = this.deps.store.stepByKey(key);
    if (!where) throw OrchErrors.staleResult(key);
    const snap = this.deps.store.load(where.run_id);
    const step = snap?.steps.find((s) => s.id === where.step_id);
    if (!snap || !step) throw OrchErrors.staleResult(key);
    const def = snap.run.def;
    const stepDef = [...def.steps, ...def.handlers, ...def.finally].find((d) => d.id === step.def_id);
    if (agent !== null && stepDef?.agent !== agent) throw OrchErrors.notYourStep(agent);
    let event: WorkflowEvent;
    if (outcome.ok && JSON.stringify(outcome.result).length > this.#limits.max_result_bytes)
      event = {
        type: "result",
        step: step.id,
        attempt: where.attempt,
        ok: false,
        error: { kind: "validation", message: `result exceeds ${this.#limits.max_result_bytes} bytes` },
      };
    else event = { type: "result", step: step.id, attempt: where.attempt, ...outcome };
    const accepted = step.status === "running" && step.dispatch_key === key;
    this.deps.db.transaction(() => {
      this.handle(where.run_id, event);
      this.deps.store.ackOutbox(key, this.deps.clock.now());
    })();
    return { accepted, run_id: where.run_id, step_id: where.step_id };
  }

  /** Ticks every run whose stored timer is due. Returns how many were ticked. */
  tick(): number {
    const due = this.deps.store.dueRuns(this.deps.clock.now(), 500);
    for (const id of due) this.#safe(() => this.handle(id, { type: "tick" }));
    return due.length;
  }

  /** Boot recovery: before accepting triggers, every running run re-arms and re-sends in-flight work. */
  recover(): number {
    const ids = this.deps.store.activeRuns();
    for (const id of ids) this.#safe(() => this.handle(id, { type: "recover" }));
    return ids.length;
  }

  /** Hands pending outbox intents to the sink; a dispatch that cannot be handed over fails its attempt. */
  drain(): Promise<number> {
    if (this.#draining) {
      this.#again = true;
      return this.#draining;
    }
    this.#draining = this.#drainLoop().finally(() => {
      this.#draining = undefined;
    });
    return this.#draining;
  }

  async #drainLoop(): Promise<number> {
    let total = 0;
    do {
      this.#again = false;
      const rows = this.deps.store.pendingOutbox(this.#limits.outbox_batch);
      for (const row of rows) {
        if (!this.deps.db.open) return total;
        const effect = JSON.parse(row.payload_json) as Effect;
        try {
          await this.deps.sink.deliver(row, effect);
          if (!this.deps.db.open) return total;
          this.deps.store.markOutbox(
            row.id,
            row.kind === "dispatch" ? "sent" : "acked",
            this.deps.clock.now(),
          );
        } catch (error) {
          if (!this.deps.db.open) return total;
          this.deps.store.markOutbox(row.id, "failed", null);
          if (row.kind === "dispatch") {
            const message = error instanceof Error ? error.message : String(error);
            this.#safe(() =>
              this.handle(row.run_id, {
                type: "result",
                step: row.step_id,
                attempt: row.attempt,
                ok: false,
                error: { kind: "agent_unavailable", message: message.slice(0, 500) },
              }),
            );
          } else this.deps.onError?.(error);
        }
        total++;
      }
      if (rows.length === this.#limits.outbox_batch) this.#again = true;
    } while (this.#again);
    return total;
  }

  /** Background loop: wake at the earliest stored timer (at most max_sleep_ms later), tick, drain. */
  startLoop(): void {
    this.#running = true;
    this.#arm(0);
  }

  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#draining;
  }

  /** After a commit: drain the outbox and re-arm the timer (a new timer may be earlier). */
  kick(): void {
    if (this.#running) this.#arm(0);
  }

  #arm(delay: number): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (!this.#running || !this.deps.db.open) return;
      this.#safe(() => this.tick());
      void this.drain().finally(() => {
        if (!this.#running || !this.deps.db.open) return;
        const next = this.deps.store.nextWake();
        const now = this.deps.clock.now();
        const wait =
          next === undefined
            ? this.#limits.max_sleep_ms
            : Math.min(Math.max(next - now, 0), this.#limits.max_sleep_ms);
        this.#arm(Math.max(wait, 5));
      });
    }, delay);
    this.#timer.unref();
  }

  #safe(fn: () => unknown): void {
    try {
      fn();
    } catch (error) {
      this.deps.onError?.(error);
    }
  }
}
