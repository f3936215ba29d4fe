import type { TriggerRule } from "./schema.js";
import { FAILED, type StepState, TERMINAL } from "./types.js";

export type RuleDecision = { kind: "wait" } | { kind: "run" } | { kind: "omit"; reason: string };

const failedLike = (s: StepState): boolean =>
  (s.conclusion !== null && FAILED.has(s.conclusion)) ||
  (s.status === "omitted" && s.reason === "upstream_failed");

/**
 * Trigger rules over the *conclusions* of direct dependencies (research/mesh.md §1.3 table).
 * `one_success` / `one_failed` fire as soon as one dependency qualifies (Airflow semantics).
 */
export function evaluateRule(rule: TriggerRule, deps: readonly StepState[]): RuleDecision {
  const done = deps.filter((d) => TERMINAL.has(d.status));
  const allDone = done.length === deps.length;
  const succeeded = done.filter((d) => d.conclusion === "succeeded").length;
  const failed = done.filter(failedLike).length;
  const upstreamReason = failed > 0 ? "upstream_failed" : "upstream_skipped";
  switch (rule) {
    case "all_success":
      if (done.length > succeeded) return { kind: "omit", reason: upstreamReason };
      return allDone ? { kind: "run" } : { kind: "wait" };
    case "none_failed":
      if (failed > 0) return { kind: "omit", reason: "upstream_failed" };
      return allDone ? { kind: "run" } : { kind: "wait" };
    case "none_failed_min_one_success":
      if (failed > 0) return { kind: "omit", reason: "upstream_failed" };
      if (!allDone) return { kind: "wait" };
      return succeeded > 0 || deps.length === 0
        ? { kind: "run" }
        : { kind: "omit", reason: "upstream_skipped" };
    case "one_success":
      if (succeeded > 0 || deps.length === 0) return { kind: "run" };
      return allDone ? { kind: "omit", reason: upstreamReason } : { kind: "wait" };
    case "one_failed":
      if (failed > 0) return { kind: "run" };
      return allDone ? { kind: "omit", reason: "no_upstream_failed" } : { kind: "wait" };
    case "all_failed":
      if (done.length > failed) return { kind: "omit", reason: "upstream_not_failed" };
      return allDone ? { kind: "run" } : { kind: "wait" };
    case "all_done":
      return allDone ? { kind: "run" } : { kind: "wait" };
  }
}

/** Rules that still launch after fail_fast tripped (they exist to react to failure). */
export const RUNS_AFTER_FAIL_FAST: ReadonlySet<TriggerRule> = new Set([
  "one_failed",
  "all_failed",
  "all_done",
]);
