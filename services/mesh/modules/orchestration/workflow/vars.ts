import type { Json } from "../cel.js";
import { type RunState, type StepState, TERMINAL } from "./types.js";

/** The CEL view of a settled step: `<id>.status`, `.conclusion`, `.result`, `.attempts`, `.error`, times. */
export function stepView(s: StepState): Record<string, Json> {
  return {
    status: s.status,
    conclusion: s.conclusion ?? s.status,
    result: s.result,
    attempts: s.attempt,
    error: s.error ? { kind: s.error.kind, message: s.error.message } : null,
    started_at: s.started_at,
    finished_at: s.finished_at,
    reason: s.reason,
  };
}

/**
 * Variables for `when` / `input_from` (research/mesh.md §1.3): inputs, run, trigger, each settled main
 * step as a top-level variable and under `steps`, and `failed_step` for handlers. Unsettled steps are
 * absent, so reading one is an error, not a silent null. No `now()`: evaluation is replay-safe.
 */
export function celVars(
  run: RunState,
  steps: readonly StepState[],
  self?: StepState,
): Record<string, unknown> {
  const settled: Record<string, Json> = {};
  const vars: Record<string, unknown> = {
    inputs: run.inputs,
    run: {
      id: run.id,
      workflow: run.workflow,
      status: run.outcome ?? run.status,
      started_at: run.started_at,
      attempt: 1,
    },
    trigger: { kind: run.trigger.kind, name: run.trigger.name, payload: run.trigger.payload },
  };
  for (const s of steps) {
    if (s.kind !== "step" || !TERMINAL.has(s.status)) continue;
    const view = stepView(s);
    settled[s.id] = view;
    vars[s.id] = view;
  }
  vars.steps = settled;
  if (self?.context) vars.failed_step = (self.context as { failed_step?: Json }).failed_step ?? null;
  return vars;
}

/** Scope for `{{…}}` templates in step input text: the CEL variables plus the step's own input. */
export function templateScope(vars: Record<string, unknown>, input: Json): Record<string, unknown> {
  return input !== null && typeof input === "object" && !Array.isArray(input) ? { ...vars, ...input } : vars;
}
