import { createHash } from "node:crypto";
import { canonicalJson } from "../../../../common/canonical-json.js";
import {
  BLACKBOARD_INPUT_PREFIX,
  SEED_FAILURE_POLICIES,
} from "../../../../common/contracts/fleet/workflows.js";
import { compileExpr, isParseError, type Json, referencedRoots } from "../cel.js";
import { toMs } from "../durations.js";
import {
  RESERVED_IDS,
  type RetrySource,
  type TriggerRule,
  type WorkflowSource,
  workflowSchema,
} from "./schema.js";

/** Normalized, JSON-serializable workflow definition: the snapshot stored with every run. */
export interface RetryDef {
  max_attempts: number;
  initial_ms: number;
  factor: number;
  max_ms: number;
  jitter: "full" | "equal" | "none";
  retry_on: ("error" | "timeout" | "agent_unavailable")[];
}

export type StepKind = "step" | "handler" | "finally";
export type Action = "prompt" | "tool" | "http" | "wait" | "approval" | "noop" | "notify";

export interface StepDef {
  id: string;
  agent: string | null;
  action: Action;
  task_type: string | null;
  input: Record<string, Json>;
  input_from: string | Record<string, string> | null;
  result_schema: Json | null;
  timeout_ms: number;
  deadline_ms: number | null;
  retry: RetryDef;
  idempotent: boolean;
  on_interrupt: "fail" | "retry" | "ask_owner";
  on_failure: string | null;
  /** Runs the step once more on this agent when it fails for good (seed `on_failure: fallback`). */
  fallback_agent: string | null;
  continue_on_error: boolean;
  when: string | null;
  depends_on: string[];
  trigger_rule: TriggerRule;
}

export interface InputDef {
  type: "string" | "integer" | "number" | "boolean" | "object" | "array";
  required: boolean;
  default?: Json;
}

export interface WorkflowDef {
  name: string;
  trigger: string | null;
  /** Topic a succeeded run's results are published to (seed `on_complete`). */
  on_complete: string | null;
  deadline_ms: number;
  fail_fast: boolean;
  max_parallel: number;
  /** At most one active run per evaluated `key` (CEL over inputs and trigger); null = unlimited. */
  concurrency: { key: string; on_conflict: "queue" | "skip" | "cancel_running" } | null;
  inputs: Record<string, InputDef>;
  steps: StepDef[];
  handlers: StepDef[];
  on_failure: string[];
  finally: StepDef[];
}

/** Explicit defaults (research/mesh.md §1.2: forgotten defaults burn; GH's 360 min is the lesson). */
export const DEFAULT_STEP_TIMEOUT_MS = 15 * 60_000;
export const DEFAULT_RUN_DEADLINE_MS = 24 * 3_600_000;
const NO_RETRY: RetrySource = {
  max_attempts: 1,
  backoff: { initial: "10s", factor: 2, max: "5m", jitter: "full" },
  retry_on: ["error", "timeout", "agent_unavailable"],
};

const retryDef = (r: RetrySource): RetryDef => ({
  max_attempts: r.max_attempts,
  initial_ms: toMs(r.backoff.initial),
  factor: r.backoff.factor,
  max_ms: toMs(r.backoff.max),
  jitter: r.backoff.jitter,
  retry_on: [...r.retry_on],
});

type StepSource = WorkflowSource["steps"][number] | WorkflowSource["handlers"][number];

/** The seed's retry policy: `max_retries` more attempts, 1 s doubling (research/upstream.md §2.8). */
const seedRetry = (maxRetries: number | undefined): RetrySource => ({
  max_attempts: (maxRetries ?? 3) + 1,
  backoff: { initial: "1s", factor: 2, max: "5m", jitter: "none" },
  retry_on: ["error", "timeout", "agent_unavailable"],
});

/** `on_failure` names a handler; the seed's policy words count only when no handler has that name. */
export function seedPolicy(
  onFailure: string | undefined,
  handlers: readonly { id: string }[],
): (typeof SEED_FAILURE_POLICIES)[number] | null {
  if (onFailure === undefined || handlers.some((h) => h.id === onFailure)) return null;
  return (SEED_FAILURE_POLICIES as readonly string[]).includes(onFailure)
    ? (onFailure as (typeof SEED_FAILURE_POLICIES)[number])
    : null;
}

function stepDef(s: StepSource, src: WorkflowSource): StepDef {
  const idempotent = s.idempotent ?? src.defaults.idempotent ?? true;
  const timeout = s.timeout ?? src.defaults.timeout;
  const graph = "depends_on" in s ? s : undefined;
  const policy = seedPolicy(s.on_failure, src.handlers);
  const retry = policy === "retry" ? seedRetry(s.max_retries) : (s.retry ?? src.defaults.retry ?? NO_RETRY);
  return {
    id: s.id,
    agent: s.agent ?? src.defaults.agent ?? null,
    action: s.action,
    task_type: s.task_type ?? null,
    input: (s.input ?? {}) as Record<string, Json>,
    input_from: s.input_from ?? null,
    result_schema: (s.result_schema ?? null) as Json | null,
    timeout_ms: timeout === undefined ? DEFAULT_STEP_TIMEOUT_MS : toMs(timeout),
    deadline_ms: s.deadline === undefined ? null : toMs(s.deadline),
    retry: retryDef(retry),
    idempotent,
    on_interrupt: s.on_interrupt ?? (idempotent ? "retry" : "ask_owner"),
    on_failure: policy === null ? (s.on_failure ?? null) : null,
    fallback_agent: s.fallback_agent ?? null,
    continue_on_error: s.continue_on_error || policy === "skip",
    // The seed's `condition` is the same thing as `when`.
    when: s.when ?? graph?.condition ?? null,
    depends_on: graph ? [...new Set(graph.depends_on)] : [],
    trigger_rule: graph?.trigger_rule ?? "all_success",
  };
}

/** Parses (zod) and normalizes one workflow, then checks graph and expressions; throws the issue list. */
export function loadWorkflow(raw: unknown): WorkflowDef | { issues: string[]; name: string } {
  const parsed = workflowSchema.safeParse(raw);
  const name =
    raw !== null && typeof raw === "object" && typeof (raw as { name?: unknown }).name === "string"
      ? String((raw as { name: string }).name)
      : "?";
  if (!parsed.success)
    return { name, issues: parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`) };
  const src = parsed.data;
  const seedIssues = seedFieldIssues(src);
  if (seedIssues.length > 0) return { name, issues: seedIssues };
  const def: WorkflowDef = {
    name: src.name,
    trigger: src.trigger ?? null,
    on_complete: src.on_complete ?? null,
    deadline_ms:
      src.deadline !== undefined
        ? toMs(src.deadline)
        : src.timeout !== undefined
          ? toMs(src.timeout)
          : DEFAULT_RUN_DEADLINE_MS,
    fail_fast: src.fail_fast,
    max_parallel: src.max_parallel,
    concurrency: src.concurrency ?? null,
    inputs: src.inputs as Record<string, InputDef>,
    steps: src.steps.map((s) => stepDef(s, src)),
    handlers: src.handlers.map((s) => stepDef(s, src)),
    on_failure: [...src.on_failure],
    finally: src.finally.map((s) => stepDef(s, src)),
  };
  const issues = checkDefinition(def);
  return issues.length > 0 ? { name, issues } : def;
}

/**
 * The seed's failure fields must mean something: `fallback` needs a `fallback_agent`, `max_retries`
 * belongs to `retry`, and a `fallback_agent` with another handler-free policy would never be used.
 */
export function seedFieldIssues(src: WorkflowSource): string[] {
  const issues: string[] = [];
  [...src.steps, ...src.handlers, ...src.finally].forEach((s) => {
    const policy = seedPolicy(s.on_failure, src.handlers);
    if (policy === "fallback" && !s.fallback_agent)
      issues.push(`${s.id}.on_failure: "fallback" needs fallback_agent`);
    if (s.max_retries !== undefined && policy !== "retry")
      issues.push(`${s.id}.max_retries: only used with on_failure: retry`);
    if (policy === "retry" && s.retry !== undefined)
      issues.push(`${s.id}.retry: use either retry or on_failure: retry with max_retries, not both`);
    if (s.fallback_agent && policy !== null && policy !== "fallback")
      issues.push(`${s.id}.fallback_agent: only used with on_failure: fallback (or without on_failure)`);
    if (s.fallback_agent && s.fallback_agent === s.agent)
      issues.push(`${s.id}.fallback_agent: is the step's own agent`);
  });
  return issues;
}

export function isWorkflowDef(v: WorkflowDef | { issues: string[] }): v is WorkflowDef {
  return !("issues" in v);
}

/** sha256 of the canonical definition: runs record which version they execute. */
export function definitionHash(def: WorkflowDef): string {
  return createHash("sha256").update(canonicalJson(def)).digest("hex");
}

/** Transitive upstream set of every step. Assumes no cycle (checked first). */
function upstreamSets(steps: readonly StepDef[]): Map<string, Set<string>> {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const memo = new Map<string, Set<string>>();
  const visit = (id: string): Set<string> => {
    const known = memo.get(id);
    if (known) return known;
    const out = new Set<string>();
    memo.set(id, out);
    for (const d of byId.get(id)?.depends_on ?? []) {
      out.add(d);
      for (const u of visit(d)) out.add(u);
    }
    return out;
  };
  for (const s of steps) visit(s.id);
  return memo;
}

function hasCycle(steps: readonly StepDef[]): boolean {
  const indegree = new Map(steps.map((s) => [s.id, s.depends_on.length]));
  const queue = steps.filter((s) => s.depends_on.length === 0).map((s) => s.id);
  let seen = 0;
  while (queue.length > 0) {
    const id = queue.pop() as string;
    seen++;
    for (const s of steps) {
      if (!s.depends_on.includes(id)) continue;
      const left = (indegree.get(s.id) ?? 0) - 1;
      indegree.set(s.id, left);
      if (left === 0) queue.push(s.id);
    }
  }
  return seen !== steps.length;
}

function expressionsOf(step: StepDef): [string, string][] {
  const out: [string, string][] = [];
  if (step.when) out.push(["when", step.when]);
  if (typeof step.input_from === "string") {
    if (!step.input_from.startsWith(BLACKBOARD_INPUT_PREFIX)) out.push(["input_from", step.input_from]);
  } else if (step.input_from)
    for (const [k, v] of Object.entries(step.input_from)) out.push([`input_from.${k}`, v]);
  return out;
}

/**
 * The graph and expression checks the mesh needs before it accepts a definition (the generator's
 * loader reports the graph ones with file:line earlier; this is the guard for the compiled config).
 */
export function checkDefinition(def: WorkflowDef): string[] {
  const issues: string[] = [];
  const ids = new Set<string>();
  const handlerIds = new Set(def.handlers.map((h) => h.id));
  def.steps.forEach((s, i) => {
    if (ids.has(s.id)) issues.push(`steps.${i}.id: duplicate step id "${s.id}"`);
    ids.add(s.id);
  });
  const all = [...def.steps, ...def.handlers, ...def.finally];
  all.forEach((s) => {
    if ((RESERVED_IDS as readonly string[]).includes(s.id)) issues.push(`${s.id}: step id is reserved`);
    if (["prompt", "tool", "http"].includes(s.action) && !s.agent)
      issues.push(`${s.id}: action "${s.action}" needs an agent (or defaults.agent)`);
    if (s.on_failure && !handlerIds.has(s.on_failure))
      issues.push(`${s.id}.on_failure: unknown handler "${s.on_failure}"`);
  });
  def.on_failure.forEach((h, i) => {
    if (!handlerIds.has(h)) issues.push(`on_failure.${i}: unknown handler "${h}"`);
  });
  def.steps.forEach((s, i) => {
    for (const d of s.depends_on) {
      if (d === s.id) issues.push(`steps.${i}.depends_on: step "${s.id}" depends on itself`);
      else if (!ids.has(d)) issues.push(`steps.${i}.depends_on: unknown step "${d}"`);
    }
  });
  if (def.concurrency) {
    const compiled = compileExpr(def.concurrency.key);
    if (isParseError(compiled)) issues.push(`concurrency.key: CEL parse error: ${compiled.parseError}`);
    for (const ref of referencedRoots(def.concurrency.key, ids))
      issues.push(`concurrency.key: refers to step "${ref}"; only inputs and trigger are known at start`);
  }
  if (issues.length > 0) return issues;
  if (hasCycle(def.steps)) return ["steps: dependency cycle"];
  const upstream = upstreamSets(def.steps);
  for (const s of all) {
    for (const [field, source] of expressionsOf(s)) {
      const compiled = compileExpr(source);
      if (isParseError(compiled)) {
        issues.push(`${s.id}.${field}: CEL parse error: ${compiled.parseError}`);
        continue;
      }
      // Main steps may read only their transitive upstream; handlers and finally steps read any step.
      if (!def.steps.includes(s)) continue;
      const up = upstream.get(s.id) ?? new Set<string>();
      for (const ref of referencedRoots(source, ids)) {
        if (!up.has(ref))
          issues.push(`${s.id}.${field}: refers to "${ref}", which is not upstream of "${s.id}"`);
      }
    }
  }
  return issues;
}
