import type { Json } from "../cel.js";
import type { StepDef } from "./definition.js";
import { isRetryable, retryDelayMs } from "./retry.js";
import {
  type Effect,
  type EngineEnv,
  FAILED,
  type LogEvent,
  type Snapshot,
  type StepError,
  type StepState,
  type StepStatus,
} from "./types.js";

const STATUS_FOR: Record<StepError["kind"], StepStatus> = {
  error: "failed",
  agent_unavailable: "failed",
  validation: "failed",
  rejected: "failed",
  interrupted: "failed",
  timeout: "timed_out",
  deadline: "timed_out",
  condition_error: "errored",
  cancelled: "cancelled",
};

/** Failures a fallback agent may fix; a cancel, a bad condition or a rejection it may not. */
const FALLS_BACK: ReadonlySet<StepError["kind"]> = new Set([
  "error",
  "timeout",
  "agent_unavailable",
  "validation",
  "interrupted",
]);

/** Mutable working copy of one transition: records changed rows, effects and audit events. */
export class Ctx {
  readonly changed = new Set<string>();
  readonly effects: Effect[] = [];
  readonly log: LogEvent[] = [];

  readonly snap: Snapshot;
  readonly env: EngineEnv;

  constructor(snap: Snapshot, env: EngineEnv) {
    this.snap = snap;
    this.env = env;
  }

  get run() {
    return this.snap.run;
  }
  get now() {
    return this.env.now;
  }

  touch(step: StepState): void {
    this.changed.add(step.id);
  }

  step(id: string): StepState | undefined {
    return this.snap.steps.find((s) => s.id === id);
  }

  def(step: StepState): StepDef {
    const d = this.run.def;
    const list = step.kind === "step" ? d.steps : step.kind === "handler" ? d.handlers : d.finally;
    const found = list.find((s) => s.id === step.def_id);
    if (!found) throw new Error(`definition of ${step.kind} "${step.def_id}" missing from the run snapshot`);
    return found;
  }

  emit(type: string, step?: string, data?: Json): void {
    this.log.push(data === undefined ? { type, step } : { type, step, data });
  }

  succeed(step: StepState, result: Json): void {
    step.result = result;
    step.error = null;
    this.finalize(step, "succeeded");
  }

  /** Failure of the current attempt: schedules a retry when allowed, otherwise settles the step. */
  fail(step: StepState, error: StepError): void {
    const def = this.def(step);
    step.error = error;
    step.timeout_at = null;
    if (isRetryable(def.retry, error.kind) && step.attempt < def.retry.max_attempts) {
      const at = this.now + retryDelayMs(def.retry, step.attempt, this.env.random);
      const cut =
        (step.deadline_at !== null && at >= step.deadline_at) ||
        (this.run.phase === "main" && at >= this.run.deadline_at);
      if (!cut) {
        step.status = "retry_wait";
        step.next_attempt_at = at;
        this.touch(step);
        this.emit("retry_scheduled", step.id, { attempt: step.attempt, at, error: error.kind });
        return;
      }
    }
    if (def.fallback_agent && !step.fallback && FALLS_BACK.has(error.kind)) {
      // The seed's `on_failure: fallback`: the same step once more on the fallback agent.
      step.fallback = true;
      step.status = "ready";
      this.touch(step);
      this.emit("step_fallback", step.id, { agent: def.fallback_agent, error: { ...error } });
      return;
    }
    this.finalize(step, STATUS_FOR[error.kind], error);
  }

  /** The agent the step's current attempt goes to (its fallback agent once it fell back). */
  agentOf(step: StepState): string | null {
    const def = this.def(step);
    return step.fallback ? def.fallback_agent : def.agent;
  }

  /** Settles a step for good; failures trip fail_fast and spawn the step's on_failure handler. */
  finalize(step: StepState, status: StepStatus, error?: StepError, reason?: string): void {
    const def = this.safeDef(step);
    step.status = status;
    if (error) step.error = error;
    if (reason !== undefined) step.reason = reason;
    const failedOutcome = FAILED.has(status);
    step.conclusion =
      failedOutcome && def?.continue_on_error && status !== "cancelled" ? "succeeded" : status;
    step.finished_at = this.now;
    step.timeout_at = null;
    step.next_attempt_at = null;
    this.touch(step);
    this.emit(`step_${status}`, step.id, reason ? { reason } : error ? { ...error } : undefined);
    if (step.kind !== "step" || !failedOutcome) return;
    if (FAILED.has(step.conclusion)) {
      this.run.first_failure ??= step.id;
      if (this.run.def.fail_fast && !this.run.fail_fast_tripped) {
        this.run.fail_fast_tripped = true;
        this.emit("fail_fast", step.id);
      }
    }
    if (def?.on_failure && status !== "cancelled")
      this.spawn("handler", def.on_failure, `${def.on_failure}@${step.id}`, step);
  }

  private safeDef(step: StepState): StepDef | undefined {
    try {
      return this.def(step);
    } catch {
      return undefined;
    }
  }

  /** Adds a handler or finally instance (pending; its `when` is evaluated by the scheduler). */
  spawn(kind: "handler" | "finally", defId: string, id: string, failed?: StepState): void {
    if (this.step(id)) return;
    const context: Json = failed
      ? {
          failed_step: {
            id: failed.id,
            status: failed.status,
            error: failed.error ? { ...failed.error } : null,
          },
        }
      : null;
    const s = pendingStep(id, defId, kind, context);
    this.snap.steps.push(s);
    this.touch(s);
    this.emit("step_spawned", id, { kind, handler: defId });
  }
}

export function newStep(def: StepDef): StepState {
  return pendingStep(def.id, def.id, "step", null);
}

/** A step, handler or finally instance that has not run yet. */
function pendingStep(id: string, defId: string, kind: StepState["kind"], context: Json): StepState {
  return {
    id,
    def_id: defId,
    kind,
    status: "pending",
    conclusion: null,
    reason: null,
    attempt: 0,
    dispatch_key: null,
    next_attempt_at: null,
    timeout_at: null,
    deadline_at: null,
    input: null,
    result: null,
    error: null,
    fallback: false,
    context,
    started_at: null,
    finished_at: null,
  };
}
