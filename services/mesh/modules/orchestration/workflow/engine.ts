import type { Json } from "../cel.js";
import { OrchErrors } from "../errors.js";
import { advance, dispatchEffect } from "./advance.js";
import { Ctx, newStep } from "./ctx.js";
import type { WorkflowDef } from "./definition.js";
import { validateResult } from "./result-schema.js";
import {
  type EngineEnv,
  type RunStatus,
  type Snapshot,
  type StepState,
  TERMINAL,
  type Transition,
  type Trigger,
  type WorkflowEvent,
} from "./types.js";

/**
 * The workflow engine as a pure function: (snapshot, event, env) → new snapshot + effects.
 * No I/O, no clock, no randomness of its own; the runner persists the result and performs the
 * effects (transactional outbox). Same inputs → same outputs, so recovery and tests replay exactly.
 */
export function createRun(args: {
  id: string;
  def: WorkflowDef;
  hash: string;
  inputs: Record<string, Json>;
  trigger: Trigger;
  now: number;
}): Snapshot {
  return {
    run: {
      id: args.id,
      workflow: args.def.name,
      definition_hash: args.hash,
      def: args.def,
      inputs: args.inputs,
      trigger: args.trigger,
      status: "running",
      phase: "main",
      outcome: null,
      fail_fast_tripped: false,
      first_failure: null,
      started_at: args.now,
      deadline_at: args.now + args.def.deadline_ms,
      finished_at: null,
      version: 0,
    },
    steps: args.def.steps.map(newStep),
  };
}

export function apply(snapshot: Snapshot, event: WorkflowEvent, env: EngineEnv): Transition {
  const ctx = new Ctx(structuredClone(snapshot), env);
  if (ctx.run.phase === "done") {
    if (event.type === "decision") throw OrchErrors.runFinished(ctx.run.id, ctx.run.status);
    if (event.type === "result")
      ctx.emit("stale_result", event.step, { attempt: event.attempt, why: "run_finished" });
    return finish(ctx);
  }
  switch (event.type) {
    case "start":
      ctx.emit("run_started", undefined, { trigger: ctx.run.trigger.kind });
      break;
    case "tick":
      timers(ctx);
      break;
    case "recover":
      recover(ctx);
      timers(ctx);
      break;
    case "agent_restarted":
      agentRestarted(ctx, event.agent);
      break;
    case "cancel":
      ctx.emit("cancel_requested", undefined, { by: event.by });
      abort(ctx, "cancelled");
      break;
    case "result":
      result(ctx, event);
      break;
    case "decision":
      decision(ctx, event);
      break;
  }
  advance(ctx);
  return finish(ctx);
}

function finish(ctx: Ctx): Transition {
  if (ctx.changed.size > 0 || ctx.log.length > 0) ctx.run.version += 1;
  return {
    snapshot: ctx.snap,
    changed: ctx.changed,
    effects: ctx.effects,
    log: ctx.log,
    wake_at: wakeAt(ctx.snap),
  };
}

/** Earliest stored timer of a snapshot: what the runner arms (timers are data, never durations). */
export function wakeAt(snap: Snapshot): number | undefined {
  if (snap.run.phase === "done") return undefined;
  let at = snap.run.phase === "main" ? snap.run.deadline_at : Number.POSITIVE_INFINITY;
  for (const s of snap.steps) {
    if (TERMINAL.has(s.status)) continue;
    if (s.status === "running" && s.timeout_at !== null) at = Math.min(at, s.timeout_at);
    if (s.status === "retry_wait" && s.next_attempt_at !== null) at = Math.min(at, s.next_attempt_at);
    if (s.deadline_at !== null) at = Math.min(at, s.deadline_at);
  }
  return Number.isFinite(at) ? at : undefined;
}

function result(ctx: Ctx, event: Extract<WorkflowEvent, { type: "result" }>): void {
  const step = ctx.step(event.step);
  // Fencing: only the current attempt of a running step may settle it.
  if (step?.status !== "running" || step.attempt !== event.attempt || step.dispatch_key === null) {
    ctx.emit("stale_result", event.step, { attempt: event.attempt, current: step?.attempt ?? null });
    return;
  }
  if (!event.ok) {
    ctx.fail(step, event.error);
    return;
  }
  const schema = ctx.def(step).result_schema;
  const problems = schema === null ? [] : validateResult(schema, event.result);
  if (problems.length > 0) {
    step.result = event.result;
    ctx.fail(step, {
      kind: "validation",
      message: `result does not match result_schema: ${problems.join("; ")}`,
    });
    return;
  }
  ctx.succeed(step, event.result);
  if (event.promoted && event.promoted.length > 0)
    ctx.emit("step_promoted", step.id, { keys: event.promoted.map((p) => ({ ...p })) });
}

function timers(ctx: Ctx): void {
  const now = ctx.now;
  if (ctx.run.phase === "main" && now >= ctx.run.deadline_at) {
    ctx.emit("run_deadline");
    abort(ctx, "timed_out");
    return;
  }
  for (const step of ctx.snap.steps) {
    if (TERMINAL.has(step.status)) continue;
    if (
      step.deadline_at !== null &&
      now >= step.deadline_at &&
      step.status !== "pending" &&
      step.status !== "ready"
    ) {
      cancelDispatch(ctx, step);
      ctx.finalize(step, "timed_out", { kind: "deadline", message: "step deadline passed" }, "step_deadline");
      continue;
    }
    if (step.status === "running" && step.timeout_at !== null && now >= step.timeout_at) {
      if (ctx.def(step).action === "wait") {
        ctx.succeed(step, { waited_ms: now - (step.started_at ?? now) });
        continue;
      }
      cancelDispatch(ctx, step);
      ctx.fail(step, {
        kind: "timeout",
        message: `attempt ${step.attempt} did not finish within ${ctx.def(step).timeout_ms} ms`,
      });
      continue;
    }
    if (step.status === "retry_wait" && step.next_attempt_at !== null && now >= step.next_attempt_at) {
      step.status = "ready";
      ctx.touch(step);
    }
  }
}

function cancelDispatch(ctx: Ctx, step: StepState): void {
  if (step.status !== "running" || step.dispatch_key === null) return;
  const agent = ctx.agentOf(step);
  if (!agent) return;
  ctx.effects.push({
    type: "cancel",
    run_id: ctx.run.id,
    step_id: step.id,
    attempt: step.attempt,
    key: step.dispatch_key,
    agent,
  });
}

/** Deadline or cancel: stop running work, omit what never started, then handlers/finally run. */
function abort(ctx: Ctx, status: Extract<RunStatus, "timed_out" | "cancelled">): void {
  ctx.run.outcome = status;
  const reason = status === "timed_out" ? "deadline" : "cancelled";
  const inFinally = ctx.run.phase === "finally";
  for (const step of ctx.snap.steps) {
    if (TERMINAL.has(step.status)) continue;
    if (step.kind === "finally" && !inFinally) continue;
    if (step.status === "pending" || step.status === "ready" || step.status === "retry_wait") {
      ctx.finalize(step, "omitted", undefined, reason);
      continue;
    }
    cancelDispatch(ctx, step);
    ctx.finalize(step, "cancelled", { kind: "cancelled", message: `run ${reason}` }, reason);
  }
}

/** After a mesh restart: idempotent in-flight steps are re-sent with the same key; others follow on_interrupt. */
function recover(ctx: Ctx): void {
  ctx.emit("recovered");
  for (const step of ctx.snap.steps) {
    if (step.status !== "running" || step.dispatch_key === null) continue;
    const def = ctx.def(step);
    if (def.idempotent) {
      redispatch(ctx, step, step.dispatch_key, "mesh_restarted");
      continue;
    }
    if (def.on_interrupt === "retry") {
      step.status = "ready";
      step.timeout_at = null;
      ctx.touch(step);
      ctx.emit("step_interrupted", step.id, { action: "retry" });
    } else if (def.on_interrupt === "fail") {
      ctx.finalize(step, "failed", {
        kind: "interrupted",
        message: "mesh restarted while the step was running",
      });
    } else {
      step.status = "interrupted";
      step.timeout_at = null;
      ctx.touch(step);
      ctx.emit("step_interrupted", step.id, { action: "ask_owner" });
      ctx.effects.push({
        type: "notify",
        run_id: ctx.run.id,
        step_id: step.id,
        key: `interrupt:${step.dispatch_key}`,
        agent: null,
        text: `Workflow ${ctx.run.workflow} run ${ctx.run.id}: step "${step.id}" (attempt ${step.attempt}, not idempotent) was running when the mesh restarted. Approve to retry it, reject to fail it.`,
      });
    }
  }
}

/** Re-sends the running attempt under its own key (the agent dedupes on it). */
function redispatch(ctx: Ctx, step: StepState, key: string, why: string): void {
  ctx.effects.push(dispatchEffect(ctx, step, key, step.input ?? {}, true));
  ctx.emit("step_redispatched", step.id, { attempt: step.attempt, why });
}

/**
 * The agent restarted (it asked for its open work at boot): whatever it was running died with it, so
 * every running attempt sent to it is re-sent at once under the same key, idempotent or not
 * (docs/workflows.md "Delivery contract": at-least-once when the agent itself crashes mid-step).
 */
function agentRestarted(ctx: Ctx, agent: string): void {
  for (const step of ctx.snap.steps) {
    if (step.status !== "running" || step.dispatch_key === null) continue;
    if (ctx.agentOf(step) === agent) redispatch(ctx, step, step.dispatch_key, "agent_restarted");
  }
}

function decision(ctx: Ctx, event: Extract<WorkflowEvent, { type: "decision" }>): void {
  const step = ctx.step(event.step);
  if (!step) throw OrchErrors.notWaiting(ctx.run.id, event.step, "unknown");
  const by = { by: event.by, comment: event.comment ?? null };
  if (step.status === "waiting_approval") {
    ctx.emit(event.approve ? "approved" : "rejected", step.id, by);
    if (event.approve) ctx.succeed(step, { approved: true, ...by });
    else
      ctx.finalize(step, "failed", {
        kind: "rejected",
        message: `rejected by ${event.by}${event.comment ? `: ${event.comment}` : ""}`,
      });
    return;
  }
  if (step.status === "interrupted") {
    ctx.emit(event.approve ? "interrupt_retry" : "interrupt_fail", step.id, by);
    if (event.approve) {
      step.status = "ready";
      ctx.touch(step);
    } else
      ctx.finalize(step, "failed", {
        kind: "interrupted",
        message: `owner ${event.by} failed the interrupted step`,
      });
    return;
  }
  throw OrchErrors.notWaiting(ctx.run.id, step.id, step.status);
}
