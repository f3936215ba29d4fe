import { randomUUID } from "node:crypto";
import type Database from "better-sqlite3";
import type { Json } from "../cel.js";
import { OrchErrors } from "../errors.js";
import { definitionHash, type StepDef, type WorkflowDef } from "./definition.js";
import { apply, createRun } from "./engine.js";
import { resolveInputs } from "./inputs.js";
import { concurrencyKey, RunQueue } from "./queue.js";
import type { OutboxRow, WorkflowStore } from "./store.js";
import type { Effect, EngineEnv, Snapshot, StepError, StepState, Trigger, WorkflowEvent } from "./types.js";

/** The agent a step's current attempt was sent to: its fallback agent once it fell back. */
export function stepDefAgent(def: StepDef | undefined, step: StepState): string | null {
  return (step.fallback ? def?.fallback_agent : def?.agent) ?? null;
}

/** Performs one outbox intent. Throwing (or rejecting) means it was not handed over. */
export interface EffectSink {
  deliver(row: OutboxRow, effect: Effect): void | Promise<void>;
}

export interface LoadedDefinition {
  def: WorkflowDef;
  hash: string;
  source: Json;
}

/**
 * What a trigger got: a run started now (and any runs it cancelled under `cancel_running`), a run
 * queued behind an active run with the same concurrency key, or nothing (`skip`).
 */
export type StartOutcome =
  | { state: "started"; run_id: string; snapshot: Snapshot; cancelled: string[] }
  | { state: "queued"; run_id: string; position: number }
  | { state: "skipped"; run_id: null; blocking: string };

export interface RunnerDeps {
  db: Database.Database;
  store: WorkflowStore;
  clock: { now(): number };
  sink: EffectSink;
  workflows: ReadonlyMap<string, LoadedDefinition>;
  random?: () => number;
  /** Blackboard reads for `input_from: blackboard://…` (see EngineEnv.read). */
  read?: EngineEnv["read"];
  limits?: Partial<RunnerLimits>;
  onError?: (error: unknown) => void;
}

export interface RunnerLimits {
  max_active_runs: number;
  /** Runs waiting per (workflow, concurrency key) under `on_conflict: queue`. */
  max_queued_per_key: number;
  outbox_batch: number;
  max_result_bytes: number;
  /** The loop re-reads the clock at least this often (survives suspend and clock jumps). */
  max_sleep_ms: number;
}
export const DEFAULT_RUNNER_LIMITS: RunnerLimits = {
  max_active_runs: 1000,
  max_queued_per_key: 100,
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
  readonly #queue: RunQueue;
  readonly deps: RunnerDeps;
  #timer: NodeJS.Timeout | undefined;
  #draining: Promise<number> | undefined;
  #again = false;
  #running = false;
  #kicked = false;

  constructor(deps: RunnerDeps) {
    this.deps = deps;
    this.#limits = { ...DEFAULT_RUNNER_LIMITS, ...deps.limits };
    this.#queue = new RunQueue(deps.db);
  }

  get workflows(): ReadonlyMap<string, LoadedDefinition> {
    return this.deps.workflows;
  }

  get queue(): RunQueue {
    return this.#queue;
  }

  #env() {
    return { now: this.deps.clock.now(), random: this.deps.random ?? Math.random, read: this.deps.read };
  }

  /**
   * Starts a run (validated inputs, definition snapshot), honouring the workflow's `concurrency:`
   * (queue | skip | cancel_running) in the same transaction as the start.
   */
  start(name: string, given: Record<string, Json>, trigger: Trigger): StartOutcome {
    const wf = this.deps.workflows.get(name);
    if (!wf) throw OrchErrors.unknownWorkflow(name);
    const resolved = resolveInputs(wf.def.inputs, given);
    if ("issues" in resolved) throw OrchErrors.badInputs(name, resolved.issues);
    const inputs = resolved.inputs;
    const outcome = this.deps.db
      .transaction((): StartOutcome => {
        const key = concurrencyKey(wf.def, inputs, trigger);
        const runId = randomUUID();
        let cancelled: string[] = [];
        const active = key === null ? [] : this.#queue.active(name, key);
        if (key !== null && active.length > 0) {
          const policy = wf.def.concurrency?.on_conflict ?? "queue";
          if (policy === "skip") return { state: "skipped", run_id: null, blocking: active[0] as string };
          if (policy === "queue") {
            if (this.#queue.count(name, key) >= this.#limits.max_queued_per_key)
              throw OrchErrors.queueFull(name, this.#limits.max_queued_per_key);
            const position = this.#queue.enqueue({
              run_id: runId,
              workflow_name: name,
              concurrency_key: key,
              inputs,
              trigger,
              created_at: this.deps.clock.now(),
            });
            return { state: "queued", run_id: runId, position };
          }
          for (const id of active) this.handle(id, { type: "cancel", by: `concurrency:${runId}` });
          cancelled = active;
        }
        const snapshot = this.#begin(wf, runId, inputs, trigger, key);
        return { state: "started", run_id: runId, snapshot, cancelled };
      })
      .immediate();
    this.kick();
    return outcome;
  }

  /** Inserts and starts one run (inside the caller's transaction). */
  #begin(
    wf: LoadedDefinition,
    id: string,
    inputs: Record<string, Json>,
    trigger: Trigger,
    key: string | null,
  ): Snapshot {
    if (this.deps.store.activeCount() >= this.#limits.max_active_runs)
      throw OrchErrors.runLimit(this.#limits.max_active_runs);
    const env = this.#env();
    const initial = createRun({ id, def: wf.def, hash: wf.hash, inputs, trigger, now: env.now });
    this.deps.store.insertRun(initial, wf.source, undefined);
    if (key !== null) this.#queue.setKey(id, key);
    const t = apply(initial, { type: "start" }, env);
    this.deps.store.save(t, env.now);
    return t.snapshot;
  }

  /** A run of a concurrency group finished: start the oldest queued run of that group, if any. */
  #release(workflow: string, runId: string): void {
    const key = this.#queue.keyOf(runId);
    if (key === null || this.#queue.active(workflow, key).length > 0) return;
    for (let next = this.#queue.next(workflow, key); next; next = this.#queue.next(workflow, key)) {
      this.#queue.remove(next.seq);
      const wf = this.deps.workflows.get(workflow);
      const resolved = wf ? resolveInputs(wf.def.inputs, next.inputs) : undefined;
      if (!wf || !resolved || "issues" in resolved) {
        this.deps.onError?.(OrchErrors.unknownWorkflow(workflow));
        continue;
      }
      this.#begin(wf, next.run_id, resolved.inputs, next.trigger, key);
      return;
    }
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
        if (current.run.phase !== "done" && t.snapshot.run.phase === "done")
          this.#release(current.run.workflow, runId);
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
    outcome:
      | { ok: true; result: Json; promoted?: { key: string; version: number }[] }
      | { ok: false; error: StepError },
  ): { accepted: boolean; run_id: string; step_id: string } {
    const { where, step } = this.#addressed(key, agent);
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

  /** The step a dispatch key addresses; throws unless `agent` (when known) is the agent it was sent to. */
  #addressed(key: string, agent: string | null) {
    const where = this.deps.store.stepByKey(key);
    if (!where) throw OrchErrors.staleResult(key);
    const snap = this.deps.store.load(where.run_id);
    const step = snap?.steps.find((s) => s.id === where.step_id);
    if (!snap || !step) throw OrchErrors.staleResult(key);
    const def = snap.run.def;
    const stepDef = [...def.steps, ...def.handlers, ...def.finally].find((d) => d.id === step.def_id);
    if (agent !== null && stepDefAgent(stepDef, step) !== agent) throw OrchErrors.notYourStep(agent);
    return { where, step, stepDef };
  }

  /**
   * The definition of the step `key` addresses when `key` is its current attempt (a result for it
   * would be applied), else null. Lets the caller act on a result (promotions) only when it counts.
   */
  currentStep(key: string, agent: string): StepDef | null {
    const { step, stepDef } = this.#addressed(key, agent);
    return step.status === "running" && step.dispatch_key === key ? (stepDef ?? null) : null;
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

  /**
   * An agent restarted and asks for its open work: every running attempt sent to it is re-sent now
   * under the same key, instead of waiting for the step's timeout. Returns how many were re-sent.
   */
  agentRestarted(agent: string): number {
    let resent = 0;
    for (const id of this.deps.store.activeRuns()) {
      const snap = this.deps.store.load(id);
      if (!snap) continue;
      const { steps, handlers, finally: fin } = snap.run.def;
      const defs = [...steps, ...handlers, ...fin];
      const mine = snap.steps.filter(
        (st) =>
          st.status === "running" &&
          st.dispatch_key !== null &&
          stepDefAgent(
            defs.find((d) => d.id === st.def_id),
            st,
          ) === agent,
      ).length;
      if (mine === 0) continue;
      this.#safe(() => this.handle(id, { type: "agent_restarted", agent }));
      resent += mine;
    }
    return resent;
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
    this.#kicked = true;
    if (this.#running) this.#arm(0);
  }

  #arm(delay: number): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (!this.#running || !this.deps.db.open) return;
      this.#kicked = false;
      this.#safe(() => this.tick());
      void this.drain().finally(() => {
        if (!this.#running || !this.deps.db.open) return;
        // A commit during this pass (e.g. a result reported while draining) armed a timer that the
        // re-arm below would replace: go again at once instead of sleeping until the next timer.
        if (this.#kicked) return this.#arm(0);
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
