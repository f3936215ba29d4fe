import type Database from "better-sqlite3";
import { z } from "zod";
import type { Json } from "../cel.js";
import { isWorkflowDef, loadWorkflow, type WorkflowDef } from "./definition.js";
import {
  type Effect,
  type LogEvent,
  type RunState,
  type Snapshot,
  STEP_STATUSES,
  type StepState,
  type Transition,
} from "./types.js";

const json = z.json();
const parseJson = (text: string | null): Json | null =>
  text === null ? null : (json.parse(JSON.parse(text)) as Json);
const stepError = z
  .object({
    kind: z.enum([
      "error",
      "timeout",
      "agent_unavailable",
      "validation",
      "condition_error",
      "cancelled",
      "rejected",
      "interrupted",
      "deadline",
    ]),
    message: z.string(),
  })
  .nullable();
const trigger = z.object({
  kind: z.enum(["manual", "event", "webhook", "schedule"]),
  name: z.string(),
  payload: json,
});
const runStatus = z.enum(["running", "succeeded", "failed", "timed_out", "cancelled"]);
const stepStatus = z.enum(STEP_STATUSES);

export interface RunRow {
  id: string;
  workflow_name: string;
  definition_hash: string;
  definition_json: string;
  inputs_json: string;
  trigger_json: string;
  status: string;
  phase: string;
  outcome: string | null;
  fail_fast_tripped: number;
  first_failure: string | null;
  deadline_at: number;
  created_at: number;
  finished_at: number | null;
  wake_at: number | null;
  version: number;
}

export interface OutboxRow {
  id: number;
  run_id: string;
  step_id: string;
  attempt: number;
  dispatch_key: string;
  kind: "dispatch" | "cancel" | "notify" | "finished";
  agent: string | null;
  payload_json: string;
  state: "pending" | "sent" | "acked" | "failed";
  sends: number;
}

/** Runs the engine's results need to survive a crash: one store, statements prepared once. */
export class WorkflowStore {
  readonly #defs = new Map<string, WorkflowDef>();
  readonly #s;

  readonly db: Database.Database;
  constructor(db: Database.Database) {
    this.db = db;
    const p = (sql: string) => db.prepare(sql);
    this.#s = {
      insertRun:
        p(`INSERT INTO workflow_runs (id, workflow_name, definition_hash, definition_json, inputs_json,
        trigger_json, status, phase, outcome, fail_fast_tripped, first_failure, deadline_at, created_at, finished_at,
        wake_at, version) VALUES (@id, @workflow_name, @definition_hash, @definition_json, @inputs_json, @trigger_json,
        @status, @phase, @outcome, @fail_fast_tripped, @first_failure, @deadline_at, @created_at, @finished_at, @wake_at, @version)`),
      updateRun: p(`UPDATE workflow_runs SET status=@status, phase=@phase, outcome=@outcome,
        fail_fast_tripped=@fail_fast_tripped, first_failure=@first_failure, finished_at=@finished_at, wake_at=@wake_at,
        version=@version WHERE id=@id`),
      upsertStep:
        p(`INSERT INTO step_runs (run_id, step_id, seq, def_id, kind, status, conclusion, reason, attempt,
        dispatch_key, next_attempt_at, timeout_at, deadline_at, input_json, result_json, error_json, context_json,
        started_at, finished_at, fallback) VALUES (@run_id, @step_id, @seq, @def_id, @kind, @status, @conclusion, @reason,
        @attempt, @dispatch_key, @next_attempt_at, @timeout_at, @deadline_at, @input_json, @result_json, @error_json,
        @context_json, @started_at, @finished_at, @fallback) ON CONFLICT(run_id, step_id) DO UPDATE SET status=excluded.status,
        conclusion=excluded.conclusion, reason=excluded.reason, attempt=excluded.attempt, dispatch_key=excluded.dispatch_key,
        next_attempt_at=excluded.next_attempt_at, timeout_at=excluded.timeout_at, deadline_at=excluded.deadline_at,
        input_json=excluded.input_json, result_json=excluded.result_json, error_json=excluded.error_json,
        context_json=excluded.context_json, started_at=excluded.started_at, finished_at=excluded.finished_at,
        fallback=excluded.fallback`),
      getRun: p("SELECT * FROM workflow_runs WHERE id = ?"),
      getSteps: p("SELECT * FROM step_runs WHERE run_id = ? ORDER BY seq"),
      stepByKey: p("SELECT run_id, step_id, attempt FROM step_runs WHERE dispatch_key = ?"),
      outboxUpsert:
        p(`INSERT INTO outbox (run_id, step_id, attempt, dispatch_key, kind, agent, payload_json, state, created_at)
        VALUES (@run_id, @step_id, @attempt, @dispatch_key, @kind, @agent, @payload_json, 'pending', @at)
        ON CONFLICT(dispatch_key) DO UPDATE SET state = 'pending', payload_json = excluded.payload_json`),
      outboxPending: p("SELECT * FROM outbox WHERE state = 'pending' ORDER BY id LIMIT ?"),
      outboxMark: p(
        "UPDATE outbox SET state = @state, sent_at = COALESCE(@sent_at, sent_at), sends = sends + @inc WHERE id = @id",
      ),
      outboxAck: p(
        "UPDATE outbox SET state = 'acked', acked_at = ? WHERE dispatch_key = ? AND state != 'acked'",
      ),
      outboxByRun: p("SELECT * FROM outbox WHERE run_id = ? ORDER BY id"),
      maxSeq: p("SELECT COALESCE(MAX(seq), 0) AS n FROM run_events WHERE run_id = ?"),
      maxStepSeq: p("SELECT COALESCE(MAX(seq), -1) AS n FROM step_runs WHERE run_id = ?"),
      insertEvent: p(
        "INSERT INTO run_events (run_id, seq, type, step_id, data_json, at) VALUES (?, ?, ?, ?, ?, ?)",
      ),
      events: p(
        "SELECT seq, type, step_id, data_json, at FROM run_events WHERE run_id = ? ORDER BY seq LIMIT ?",
      ),
      due: p(
        "SELECT id FROM workflow_runs WHERE status = 'running' AND wake_at IS NOT NULL AND wake_at <= ? ORDER BY wake_at LIMIT ?",
      ),
      active: p("SELECT id FROM workflow_runs WHERE status = 'running' ORDER BY created_at"),
      activeCount: p("SELECT COUNT(*) AS n FROM workflow_runs WHERE status = 'running'"),
      nextWake: p("SELECT MIN(wake_at) AS at FROM workflow_runs WHERE status = 'running'"),
      list: p(`SELECT * FROM workflow_runs WHERE (@workflow IS NULL OR workflow_name = @workflow)
        AND (@status IS NULL OR status = @status) ORDER BY created_at DESC, id DESC LIMIT @limit`),
    };
  }

  insertRun(snap: Snapshot, source: Json, wakeAt: number | undefined): void {
    const r = snap.run;
    this.#s.insertRun.run({
      ...runParams(r, wakeAt),
      workflow_name: r.workflow,
      definition_hash: r.definition_hash,
      definition_json: JSON.stringify(source),
      inputs_json: JSON.stringify(r.inputs),
      trigger_json: JSON.stringify(r.trigger),
      deadline_at: r.deadline_at,
      created_at: r.started_at,
    });
    snap.steps.forEach((s, i) => {
      this.#s.upsertStep.run(stepParams(r.id, s, i));
    });
  }

  /** Writes one engine transition: run row, changed steps, outbox intents and audit events. */
  save(t: Transition, at: number): void {
    const { run, steps } = t.snapshot;
    this.#s.updateRun.run(runParams(run, t.wake_at));
    steps.forEach((s, i) => {
      if (t.changed.has(s.id)) this.#s.upsertStep.run(stepParams(run.id, s, i));
    });
    for (const e of t.effects) this.#intent(e, at);
    this.appendEvents(run.id, t.log, at);
  }

  appendEvents(runId: string, log: readonly LogEvent[], at: number): void {
    let seq = (this.#s.maxSeq.get(runId) as { n: number }).n;
    for (const e of log)
      this.#s.insertEvent.run(
        runId,
        ++seq,
        e.type,
        e.step ?? null,
        e.data === undefined ? null : JSON.stringify(e.data),
        at,
      );
  }

  #intent(e: Effect, at: number): void {
    const base = { run_id: e.run_id, at };
    if (e.type === "dispatch")
      this.#s.outboxUpsert.run({
        ...base,
        step_id: e.step_id,
        attempt: e.attempt,
        dispatch_key: e.key,
        kind: "dispatch",
        agent: e.agent,
        payload_json: JSON.stringify(e),
      });
    else if (e.type === "cancel")
      this.#s.outboxUpsert.run({
        ...base,
        step_id: e.step_id,
        attempt: e.attempt,
        dispatch_key: `cancel:${e.key}`,
        kind: "cancel",
        agent: e.agent,
        payload_json: JSON.stringify(e),
      });
    else if (e.type === "notify")
      this.#s.outboxUpsert.run({
        ...base,
        step_id: e.step_id,
        attempt: 0,
        dispatch_key: `notify:${e.key}`,
        kind: "notify",
        agent: e.agent,
        payload_json: JSON.stringify(e),
      });
    else
      this.#s.outboxUpsert.run({
        ...base,
        step_id: "",
        attempt: 0,
        dispatch_key: `finished:${e.run_id}`,
        kind: "finished",
        agent: null,
        payload_json: JSON.stringify(e),
      });
  }

  load(runId: string): Snapshot | undefined {
    const row = this.#s.getRun.get(runId) as RunRow | undefined;
    if (!row) return undefined;
    const steps = (this.#s.getSteps.all(runId) as Record<string, unknown>[]).map(stepFromRow);
    return { run: this.runFromRow(row), steps };
  }

  runFromRow(row: RunRow): RunState {
    return {
      id: row.id,
      workflow: row.workflow_name,
      definition_hash: row.definition_hash,
      def: this.#def(row.definition_hash, row.definition_json),
      inputs: z.record(z.string(), json).parse(JSON.parse(row.inputs_json)) as Record<string, Json>,
      trigger: trigger.parse(JSON.parse(row.trigger_json)) as RunState["trigger"],
      status: runStatus.parse(row.status),
      phase: z.enum(["main", "handlers", "finally", "done"]).parse(row.phase),
      outcome: row.outcome === null ? null : runStatus.parse(row.outcome),
      fail_fast_tripped: row.fail_fast_tripped === 1,
      first_failure: row.first_failure,
      started_at: row.created_at,
      deadline_at: row.deadline_at,
      finished_at: row.finished_at,
      version: row.version,
    };
  }

  /** The stored source is re-validated (zod) once per definition hash; the snapshot never changes. */
  #def(hash: string, source: string): WorkflowDef {
    const hit = this.#defs.get(hash);
    if (hit) return hit;
    const def = loadWorkflow(JSON.parse(source));
    if (!isWorkflowDef(def))
      throw new Error(`stored definition ${hash.slice(0, 12)} no longer validates: ${def.issues[0]}`);
    this.#defs.set(hash, def);
    return def;
  }

  stepByKey(key: string): { run_id: string; step_id: string; attempt: number } | undefined {
    return this.#s.stepByKey.get(key) as { run_id: string; step_id: string; attempt: number } | undefined;
  }
  pendingOutbox(limit: number): OutboxRow[] {
    return this.#s.outboxPending.all(limit) as OutboxRow[];
  }
  markOutbox(id: number, state: OutboxRow["state"], sentAt: number | null): void {
    this.#s.outboxMark.run({ id, state, sent_at: sentAt, inc: sentAt === null ? 0 : 1 });
  }
  ackOutbox(key: string, at: number): void {
    this.#s.outboxAck.run(at, key);
  }
  outboxOf(runId: string): OutboxRow[] {
    return this.#s.outboxByRun.all(runId) as OutboxRow[];
  }
  events(
    runId: string,
    limit = 1000,
  ): { seq: number; type: string; step_id: string | null; data: Json | null; at: number }[] {
    return (
      this.#s.events.all(runId, limit) as {
        seq: number;
        type: string;
        step_id: string | null;
        data_json: string | null;
        at: number;
      }[]
    ).map((e) => ({ seq: e.seq, type: e.type, step_id: e.step_id, data: parseJson(e.data_json), at: e.at }));
  }
  dueRuns(now: number, limit: number): string[] {
    return (this.#s.due.all(now, limit) as { id: string }[]).map((r) => r.id);
  }
  activeRuns(): string[] {
    return (this.#s.active.all() as { id: string }[]).map((r) => r.id);
  }
  activeCount(): number {
    return (this.#s.activeCount.get() as { n: number }).n;
  }
  nextWake(): number | undefined {
    return (this.#s.nextWake.get() as { at: number | null }).at ?? undefined;
  }
  list(q: { workflow?: string; status?: string; limit: number }): RunRow[] {
    return this.#s.list.all({
      workflow: q.workflow ?? null,
      status: q.status ?? null,
      limit: q.limit,
    }) as RunRow[];
  }
}

function runParams(r: RunState, wakeAt: number | undefined) {
  return {
    id: r.id,
    status: r.status,
    phase: r.phase,
    outcome: r.outcome,
    fail_fast_tripped: r.fail_fast_tripped ? 1 : 0,
    first_failure: r.first_failure,
    finished_at: r.finished_at,
    wake_at: wakeAt ?? null,
    version: r.version,
  };
}

const str = (v: Json | null) => (v === null ? null : JSON.stringify(v));

function stepParams(runId: string, s: StepState, seq: number) {
  return {
    run_id: runId,
    step_id: s.id,
    seq,
    def_id: s.def_id,
    kind: s.kind,
    status: s.status,
    conclusion: s.conclusion,
    reason: s.reason,
    attempt: s.attempt,
    dispatch_key: s.dispatch_key,
    next_attempt_at: s.next_attempt_at,
    timeout_at: s.timeout_at,
    deadline_at: s.deadline_at,
    input_json: str(s.input),
    result_json: str(s.result),
    error_json: s.error ? JSON.stringify(s.error) : null,
    context_json: str(s.context),
    started_at: s.started_at,
    finished_at: s.finished_at,
    fallback: s.fallback ? 1 : 0,
  };
}

const num = z.number().nullable();
const stepRow = z.object({
  step_id: z.string(),
  def_id: z.string(),
  kind: z.enum(["step", "handler", "finally"]),
  status: stepStatus,
  conclusion: stepStatus.nullable(),
  reason: z.string().nullable(),
  attempt: z.number(),
  dispatch_key: z.string().nullable(),
  next_attempt_at: num,
  timeout_at: num,
  deadline_at: num,
  input_json: z.string().nullable(),
  result_json: z.string().nullable(),
  error_json: z.string().nullable(),
  context_json: z.string().nullable(),
  started_at: num,
  finished_at: num,
  fallback: z.number(),
});

function stepFromRow(raw: Record<string, unknown>): StepState {
  const r = stepRow.parse(raw);
  return {
    id: r.step_id,
    def_id: r.def_id,
    kind: r.kind,
    status: r.status,
    conclusion: r.conclusion,
    reason: r.reason,
    attempt: r.attempt,
    dispatch_key: r.dispatch_key,
    next_attempt_at: r.next_attempt_at,
    timeout_at: r.timeout_at,
    deadline_at: r.deadline_at,
    input: parseJson(r.input_json),
    result: parseJson(r.result_json),
    error: r.error_json === null ? null : stepError.parse(JSON.parse(r.error_json)),
    fallback: r.fallback === 1,
    context: parseJson(r.context_json),
    started_at: r.started_at,
    finished_at: r.finished_at,
  };
}
