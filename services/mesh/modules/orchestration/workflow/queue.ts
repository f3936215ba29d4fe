import type Database from "better-sqlite3";
import { z } from "zod";
import type { Json } from "../cel.js";
import { evalExpr } from "../cel.js";
import { OrchErrors } from "../errors.js";
import type { WorkflowDef } from "./definition.js";
import type { Trigger } from "./types.js";

export interface QueuedRun {
  seq: number;
  run_id: string;
  workflow_name: string;
  concurrency_key: string;
  inputs: Record<string, Json>;
  trigger: Trigger;
  created_at: number;
}

const json = z.json();
const queuedRow = z.object({
  seq: z.number(),
  run_id: z.string(),
  workflow_name: z.string(),
  concurrency_key: z.string(),
  inputs_json: z.string(),
  trigger_json: z.string(),
  created_at: z.number(),
});
const triggerSchema = z.object({
  kind: z.enum(["manual", "event", "webhook", "schedule"]),
  name: z.string(),
  payload: json,
});

/**
 * `concurrency.key` evaluated at start (CEL over `inputs` and `trigger` only: nothing else exists yet).
 * Strings are used as is, numbers and booleans as their JSON text; anything else is an error.
 */
export function concurrencyKey(
  def: WorkflowDef,
  inputs: Record<string, Json>,
  trigger: Trigger,
): string | null {
  if (!def.concurrency) return null;
  const out = evalExpr(def.concurrency.key, {
    inputs,
    trigger: { kind: trigger.kind, name: trigger.name, payload: trigger.payload },
  });
  if ("error" in out) throw OrchErrors.concurrencyKey(def.name, out.error);
  const v = out.value;
  if (typeof v === "string") return v.slice(0, 500);
  if (typeof v === "number" || typeof v === "boolean") return JSON.stringify(v);
  throw OrchErrors.concurrencyKey(
    def.name,
    `the key must be a string, got ${JSON.stringify(v).slice(0, 60)}`,
  );
}

/** Concurrency groups: active runs by (workflow, key) and the durable FIFO of runs waiting for a slot. */
export class RunQueue {
  readonly #s;

  constructor(db: Database.Database) {
    const p = (sql: string) => db.prepare(sql);
    this.#s = {
      setKey: p("UPDATE workflow_runs SET concurrency_key = ? WHERE id = ?"),
      keyOf: p("SELECT concurrency_key AS k FROM workflow_runs WHERE id = ?"),
      active: p(
        "SELECT id FROM workflow_runs WHERE workflow_name = ? AND concurrency_key = ? AND status = 'running' ORDER BY created_at",
      ),
      insert:
        p(`INSERT INTO workflow_queue (run_id, workflow_name, concurrency_key, inputs_json, trigger_json, created_at)
        VALUES (?, ?, ?, ?, ?, ?)`),
      count: p("SELECT COUNT(*) AS n FROM workflow_queue WHERE workflow_name = ? AND concurrency_key = ?"),
      total: p("SELECT COUNT(*) AS n FROM workflow_queue"),
      next: p(
        "SELECT * FROM workflow_queue WHERE workflow_name = ? AND concurrency_key = ? ORDER BY seq LIMIT 1",
      ),
      byRun: p("SELECT * FROM workflow_queue WHERE run_id = ?"),
      position: p(
        "SELECT COUNT(*) AS n FROM workflow_queue WHERE workflow_name = ? AND concurrency_key = ? AND seq <= ?",
      ),
      remove: p("DELETE FROM workflow_queue WHERE seq = ?"),
      all: p("SELECT * FROM workflow_queue ORDER BY seq LIMIT ?"),
    };
  }

  setKey(runId: string, key: string | null): void {
    this.#s.setKey.run(key, runId);
  }
  keyOf(runId: string): string | null {
    return (this.#s.keyOf.get(runId) as { k: string | null } | undefined)?.k ?? null;
  }
  active(workflow: string, key: string): string[] {
    return (this.#s.active.all(workflow, key) as { id: string }[]).map((r) => r.id);
  }
  /** Appends a waiting run; returns its 1-based position in its group. */
  enqueue(q: Omit<QueuedRun, "seq">): number {
    const seq = Number(
      this.#s.insert.run(
        q.run_id,
        q.workflow_name,
        q.concurrency_key,
        JSON.stringify(q.inputs),
        JSON.stringify(q.trigger),
        q.created_at,
      ).lastInsertRowid,
    );
    return this.position(q.workflow_name, q.concurrency_key, seq);
  }
  position(workflow: string, key: string, seq: number): number {
    return (this.#s.position.get(workflow, key, seq) as { n: number }).n;
  }
  count(workflow: string, key: string): number {
    return (this.#s.count.get(workflow, key) as { n: number }).n;
  }
  total(): number {
    return (this.#s.total.get() as { n: number }).n;
  }
  next(workflow: string, key: string): QueuedRun | undefined {
    const row = this.#s.next.get(workflow, key);
    return row === undefined ? undefined : fromRow(row);
  }
  byRun(runId: string): QueuedRun | undefined {
    const row = this.#s.byRun.get(runId);
    return row === undefined ? undefined : fromRow(row);
  }
  remove(seq: number): void {
    this.#s.remove.run(seq);
  }
  list(limit: number): QueuedRun[] {
    return this.#s.all.all(limit).map(fromRow);
  }
}

function fromRow(raw: unknown): QueuedRun {
  const r = queuedRow.parse(raw);
  return {
    seq: r.seq,
    run_id: r.run_id,
    workflow_name: r.workflow_name,
    concurrency_key: r.concurrency_key,
    inputs: z.record(z.string(), json).parse(JSON.parse(r.inputs_json)) as Record<string, Json>,
    trigger: triggerSchema.parse(JSON.parse(r.trigger_json)) as Trigger,
    created_at: r.created_at,
  };
}
