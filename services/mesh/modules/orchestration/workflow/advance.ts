import { evalExpr, type Json } from "../cel.js";
import { toMs } from "../durations.js";
import { renderDeep } from "../template.js";
import { blackboardInputKey, isBlackboardInput } from "./blackboard-input.js";
import type { Ctx } from "./ctx.js";
import { dispatchKey } from "./retry.js";
import { evaluateRule, RUNS_AFTER_FAIL_FAST } from "./rules.js";
import { type Effect, FAILED, type RunStatus, type StepState, TERMINAL } from "./types.js";
import { celVars, templateScope } from "./vars.js";

const DISPATCHED = new Set(["prompt", "tool", "http"]);
const MAX_ROUNDS = 10_000;

/** Runs the scheduler to a fixpoint: evaluate eligible steps, start ready ones, move phases. */
export function advance(ctx: Ctx): void {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    if (ctx.run.phase === "done") return;
    const before = ctx.changed.size + ctx.effects.length + ctx.log.length;
    evaluatePending(ctx);
    startReady(ctx);
    movePhase(ctx);
    if (ctx.changed.size + ctx.effects.length + ctx.log.length === before) return;
  }
  throw new Error("workflow scheduler did not settle (bug)");
}

function evaluatePending(ctx: Ctx): void {
  for (const step of ctx.snap.steps) {
    if (
      step.status !== "pending" &&
      !(step.kind === "step" && step.status === "ready" && ctx.run.fail_fast_tripped)
    )
      continue;
    const def = ctx.def(step);
    if (step.kind === "step") {
      const failFastBlocks = ctx.run.fail_fast_tripped && !RUNS_AFTER_FAIL_FAST.has(def.trigger_rule);
      if (failFastBlocks) {
        ctx.finalize(step, "omitted", undefined, "fail_fast");
        continue;
      }
      if (step.status === "ready") continue;
      const deps = def.depends_on.map((d) => ctx.step(d)).filter((s): s is StepState => s !== undefined);
      const decision = evaluateRule(def.trigger_rule, deps);
      if (decision.kind === "wait") continue;
      if (decision.kind === "omit") {
        ctx.finalize(step, "omitted", undefined, decision.reason);
        continue;
      }
    }
    makeEligible(ctx, step);
  }
}

/** Evaluates `when` and `input_from` once, persists the input snapshot, and marks the step ready. */
function makeEligible(ctx: Ctx, step: StepState): void {
  const def = ctx.def(step);
  const vars = celVars(ctx.run, ctx.snap.steps, step);
  if (def.when) {
    const out = evalExpr(def.when, vars);
    if ("error" in out) {
      ctx.finalize(step, "errored", { kind: "condition_error", message: `when: ${out.error}` });
      return;
    }
    if (typeof out.value !== "boolean") {
      ctx.finalize(step, "errored", {
        kind: "condition_error",
        message: `when must be a bool, got ${JSON.stringify(out.value)?.slice(0, 100)}`,
      });
      return;
    }
    if (!out.value) {
      ctx.finalize(step, "skipped", undefined, "when_false");
      return;
    }
  }
  let input: Record<string, Json> = { ...def.input };
  if (typeof def.input_from === "string" && isBlackboardInput(def.input_from)) {
    const key = blackboardInputKey(def.input_from, ctx.run.trigger.payload, ctx.run.inputs);
    const got = key === null ? undefined : ctx.env.read?.(key, ctx.agentOf(step));
    if (got && "refused" in got) {
      ctx.finalize(step, "errored", { kind: "condition_error", message: `input_from: ${got.refused}` });
      return;
    }
    input = { ...input, ...asObject(got?.value ?? {}) };
  } else if (typeof def.input_from === "string") {
    const out = evalExpr(def.input_from, vars);
    if ("error" in out) {
      ctx.finalize(step, "errored", { kind: "condition_error", message: `input_from: ${out.error}` });
      return;
    }
    input = { ...input, ...asObject(out.value) };
  } else if (def.input_from) {
    for (const [key, source] of Object.entries(def.input_from)) {
      const out = evalExpr(source, vars);
      if ("error" in out) {
        ctx.finalize(step, "errored", {
          kind: "condition_error",
          message: `input_from.${key}: ${out.error}`,
        });
        return;
      }
      Object.defineProperty(input, key, {
        value: out.value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  step.input = renderDeep(input, templateScope(vars, input));
  step.status = "ready";
  ctx.touch(step);
  ctx.emit("step_ready", step.id);
}

/** An input value as the step's input object: objects as they are, anything else as `{value}`. */
function asObject(v: Json): Record<string, Json> {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? v : { value: v };
}

function startReady(ctx: Ctx): void {
  let active = ctx.snap.steps.filter((s) => s.status === "running").length;
  for (const step of ctx.snap.steps) {
    if (step.status !== "ready") continue;
    const def = ctx.def(step);
    if (DISPATCHED.has(def.action) || def.action === "wait") {
      if (active >= ctx.run.def.max_parallel) continue;
      active++;
    }
    start(ctx, step);
  }
}

function start(ctx: Ctx, step: StepState): void {
  const def = ctx.def(step);
  const now = ctx.now;
  step.attempt += 1;
  step.started_at ??= now;
  if (step.deadline_at === null && def.deadline_ms !== null) step.deadline_at = now + def.deadline_ms;
  step.next_attempt_at = null;
  ctx.touch(step);
  const input = step.input ?? {};
  switch (def.action) {
    case "noop":
      ctx.succeed(step, input);
      return;
    case "notify": {
      const text =
        typeof (input as { text?: unknown }).text === "string"
          ? String((input as { text: string }).text)
          : JSON.stringify(input);
      const key = dispatchKey(ctx.run.id, step.id, step.attempt);
      ctx.effects.push({ type: "notify", run_id: ctx.run.id, step_id: step.id, key, agent: def.agent, text });
      ctx.succeed(step, { notified: true });
      return;
    }
    case "approval":
      step.status = "waiting_approval";
      ctx.emit("approval_requested", step.id);
      return;
    case "wait": {
      const d = (input as { duration?: unknown }).duration;
      step.status = "running";
      step.timeout_at =
        now + (typeof d === "string" || typeof d === "number" ? safeMs(d, def.timeout_ms) : def.timeout_ms);
      return;
    }
    default: {
      const key = dispatchKey(ctx.run.id, step.id, step.attempt);
      step.status = "running";
      step.dispatch_key = key;
      step.timeout_at = now + def.timeout_ms;
      ctx.emit("step_dispatched", step.id, { attempt: step.attempt });
      ctx.effects.push(dispatchEffect(ctx, step, key, input, false));
    }
  }
}

/** The effect that sends `step`'s current attempt to its agent (a redelivery keeps the key). */
export function dispatchEffect(
  ctx: Ctx,
  step: StepState,
  key: string,
  input: Json,
  redelivery: boolean,
): Effect {
  const def = ctx.def(step);
  return {
    type: "dispatch",
    run_id: ctx.run.id,
    step_id: step.id,
    attempt: step.attempt,
    key,
    agent: ctx.agentOf(step) ?? "",
    action: def.action,
    task_type: def.task_type,
    input,
    timeout_ms: def.timeout_ms,
    redelivery,
  };
}

function safeMs(value: string | number, fallback: number): number {
  try {
    return toMs(value);
  } catch {
    return fallback;
  }
}

/** The seed's on_complete payload: the run and each main step's result. */
function results(ctx: Ctx): Json {
  const steps: Record<string, Json> = {};
  for (const s of ctx.snap.steps) if (s.kind === "step") steps[s.id] = { status: s.status, result: s.result };
  return { workflow: ctx.run.workflow, run_id: ctx.run.id, status: ctx.run.status, results: steps };
}

function movePhase(ctx: Ctx): void {
  const run = ctx.run;
  const settled = (kind: StepState["kind"]) =>
    ctx.snap.steps.filter((s) => s.kind === kind).every((s) => TERMINAL.has(s.status));
  if (run.phase === "main") {
    if (!settled("step") || !settled("handler")) return;
    if (run.outcome === null) {
      const failed = ctx.snap.steps.some(
        (s) => s.kind === "step" && s.conclusion !== null && FAILED.has(s.conclusion),
      );
      run.outcome = failed ? "failed" : "succeeded";
    }
    run.phase = "handlers";
    ctx.emit("dag_settled", undefined, { outcome: run.outcome });
    if (run.outcome === "failed" || run.outcome === "timed_out") {
      const failed = run.first_failure ? ctx.step(run.first_failure) : undefined;
      for (const h of run.def.on_failure) ctx.spawn("handler", h, `${h}@run`, failed);
    }
    return;
  }
  if (run.phase === "handlers") {
    if (!settled("handler")) return;
    run.phase = "finally";
    for (const f of run.def.finally) ctx.spawn("finally", f.id, f.id);
    ctx.emit("phase_finally");
    return;
  }
  if (run.phase === "finally" && settled("finally") && settled("handler")) {
    run.phase = "done";
    run.status = run.outcome as RunStatus;
    run.finished_at = ctx.now;
    ctx.emit("run_finished", undefined, { status: run.status });
    const topic = run.def.on_complete;
    ctx.effects.push(
      topic && run.status === "succeeded"
        ? {
            type: "finished",
            run_id: run.id,
            status: run.status,
            on_complete: { topic, payload: results(ctx) },
          }
        : { type: "finished", run_id: run.id, status: run.status },
    );
  }
}
