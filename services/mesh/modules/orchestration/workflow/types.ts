import type { Json } from "../cel.js";
import type { StepKind, WorkflowDef } from "./definition.js";

/**
 * Run and step state (research/mesh.md §1.3). `pending → ready → running ⇄ retry_wait → terminal`;
 * `waiting_approval` for approval steps; `interrupted` holds a recovered non-idempotent step until
 * the owner decides. Trigger rules read `conclusion`, CEL can read both.
 */
export const STEP_STATUSES = [
  "pending",
  "ready",
  "running",
  "retry_wait",
  "waiting_approval",
  "interrupted",
  "succeeded",
  "failed",
  "timed_out",
  "errored",
  "cancelled",
  "skipped",
  "omitted",
] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export const TERMINAL: ReadonlySet<StepStatus> = new Set([
  "succeeded",
  "failed",
  "timed_out",
  "errored",
  "cancelled",
  "skipped",
  "omitted",
]);
/** Conclusions that make a run fail (and trip fail_fast). */
export const FAILED: ReadonlySet<StepStatus> = new Set(["failed", "timed_out", "errored", "cancelled"]);

export type ErrorKind =
  | "error"
  | "timeout"
  | "agent_unavailable"
  | "validation"
  | "condition_error"
  | "cancelled"
  | "rejected"
  | "interrupted"
  | "deadline";

export interface StepError {
  kind: ErrorKind;
  message: string;
}

export interface StepState {
  /** Instance id: the step id, or `<handler>@<failed step>` / `<handler>@run` / finally ids. */
  id: string;
  /** Id of the definition in def.steps / def.handlers / def.finally. */
  def_id: string;
  kind: StepKind;
  status: StepStatus;
  conclusion: StepStatus | null;
  reason: string | null;
  attempt: number;
  dispatch_key: string | null;
  next_attempt_at: number | null;
  timeout_at: number | null;
  deadline_at: number | null;
  input: Json | null;
  result: Json | null;
  error: StepError | null;
  /** The step failed on its agent and now runs on its `fallback_agent` (whose result replaces it). */
  fallback: boolean;
  /** Handler context (`failed_step`), null for normal steps. */
  context: Json | null;
  started_at: number | null;
  finished_at: number | null;
}

export type RunStatus = "running" | "succeeded" | "failed" | "timed_out" | "cancelled";
export type RunPhase = "main" | "handlers" | "finally" | "done";

export interface Trigger {
  kind: "manual" | "event" | "webhook" | "schedule";
  name: string;
  payload: Json;
}

export interface RunState {
  id: string;
  workflow: string;
  definition_hash: string;
  def: WorkflowDef;
  inputs: Record<string, Json>;
  trigger: Trigger;
  status: RunStatus;
  phase: RunPhase;
  /** Status the run will end with once handlers and finally steps are done. */
  outcome: RunStatus | null;
  fail_fast_tripped: boolean;
  /** First failed step (for on_failure handlers' `failed_step`). */
  first_failure: string | null;
  started_at: number;
  deadline_at: number;
  finished_at: number | null;
  version: number;
}

export interface Snapshot {
  run: RunState;
  steps: StepState[];
}

export type WorkflowEvent =
  | { type: "start" }
  | { type: "tick" }
  | { type: "recover" }
  | { type: "agent_restarted"; agent: string }
  | { type: "cancel"; by: string }
  | {
      type: "result";
      step: string;
      attempt: number;
      ok: true;
      result: Json;
      /** Blackboard keys the step's result promoted (written before the result is applied). */
      promoted?: { key: string; version: number }[];
    }
  | { type: "result"; step: string; attempt: number; ok: false; error: StepError }
  | { type: "decision"; step: string; approve: boolean; by: string; comment?: string };

export interface DispatchEffect {
  type: "dispatch";
  run_id: string;
  step_id: string;
  attempt: number;
  key: string;
  agent: string;
  action: string;
  task_type: string | null;
  input: Json;
  timeout_ms: number;
  /** True when this re-sends an attempt that was already dispatched (recovery): same key. */
  redelivery: boolean;
}
export interface CancelEffect {
  type: "cancel";
  run_id: string;
  step_id: string;
  attempt: number;
  key: string;
  agent: string;
}
export interface NotifyEffect {
  type: "notify";
  run_id: string;
  step_id: string;
  key: string;
  agent: string | null;
  text: string;
}
export interface FinishedEffect {
  type: "finished";
  run_id: string;
  status: RunStatus;
  /** A succeeded run of a workflow with `on_complete`: what its subscribers get. */
  on_complete?: { topic: string; payload: Json };
}
export type Effect = DispatchEffect | CancelEffect | NotifyEffect | FinishedEffect;

export interface LogEvent {
  type: string;
  step?: string;
  data?: Json;
}

export interface Transition {
  snapshot: Snapshot;
  /** Step instance ids whose rows changed (the store writes only those). */
  changed: Set<string>;
  effects: Effect[];
  log: LogEvent[];
  /** Earliest stored timer (retry, timeout, deadline); undefined when the run waits on nothing timed. */
  wake_at: number | undefined;
}

export interface EngineEnv {
  now: number;
  /** Uniform [0, 1); injected so jitter is reproducible in tests. */
  random: () => number;
  /**
   * Reads a blackboard entry for `input_from: blackboard://…` as the step's agent (its blackboard_read
   * rules apply): the value, undefined when there is no such entry, or why it may not be read.
   */
  read?: (key: string, agent: string | null) => { value: Json } | { refused: string } | undefined;
}
