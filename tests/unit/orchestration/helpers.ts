import type { Json } from "../../../services/mesh/modules/orchestration/cel.js";
import {
  definitionHash,
  isWorkflowDef,
  loadWorkflow,
  type WorkflowDef,
} from "../../../services/mesh/modules/orchestration/workflow/definition.js";
import { apply, createRun } from "../../../services/mesh/modules/orchestration/workflow/engine.js";
import type {
  DispatchEffect,
  Effect,
  Snapshot,
  StepError,
  StepState,
  WorkflowEvent,
} from "../../../services/mesh/modules/orchestration/workflow/types.js";

export function wf(raw: Record<string, unknown>): WorkflowDef {
  const def = loadWorkflow(raw);
  if (!isWorkflowDef(def)) throw new Error(def.issues.join("\n"));
  return def;
}

/** Drives the pure engine with a manual clock; records every effect. */
export class Sim {
  snap: Snapshot;
  now = Date.UTC(2026, 0, 1, 10);
  effects: Effect[] = [];
  wake: number | undefined;
  random = () => 0.5;

  constructor(def: WorkflowDef, inputs: Record<string, Json> = {}, payload: Json = null) {
    this.snap = createRun({
      id: "run1",
      def,
      hash: definitionHash(def),
      inputs,
      trigger: { kind: "manual", name: "test", payload },
      now: this.now,
    });
  }

  send(event: WorkflowEvent): Effect[] {
    const t = apply(this.snap, event, { now: this.now, random: this.random });
    this.snap = t.snapshot;
    this.effects.push(...t.effects);
    this.wake = t.wake_at;
    return t.effects;
  }

  start(): Effect[] {
    return this.send({ type: "start" });
  }

  /** Advances the clock to `at` (or the next timer) and ticks. */
  tickTo(at?: number): Effect[] {
    this.now = at ?? this.wake ?? this.now;
    return this.send({ type: "tick" });
  }

  advance(ms: number): Effect[] {
    this.now += ms;
    return this.send({ type: "tick" });
  }

  ok(step: string, result: Json = {}): Effect[] {
    return this.send({ type: "result", step, attempt: this.step(step).attempt, ok: true, result });
  }

  fail(step: string, error: StepError = { kind: "error", message: "boom" }): Effect[] {
    return this.send({ type: "result", step, attempt: this.step(step).attempt, ok: false, error });
  }

  step(id: string): StepState {
    const s = this.snap.steps.find((x) => x.id === id);
    if (!s) throw new Error(`no step ${id}`);
    return s;
  }

  status(id: string): string {
    return this.step(id).status;
  }

  dispatches(): DispatchEffect[] {
    return this.effects.filter((e): e is DispatchEffect => e.type === "dispatch");
  }

  dispatched(effects: Effect[] = this.effects): string[] {
    return effects.filter((e): e is DispatchEffect => e.type === "dispatch").map((e) => e.step_id);
  }
}
