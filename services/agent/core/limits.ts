/**
 * Loop limits (ARCHITECTURE.md §11): task mode ≤ 20 model calls; chat mode ≤ 30 tool rounds per turn,
 * then exactly one tool-less call so the user always gets an answer. Pure: the loop asks before each call.
 */
export type RunMode = "task" | "chat";

export interface RunLimits {
  /** Task mode: model calls per run. */
  taskIterations: number;
  /** Chat mode: tool rounds per turn before the final tool-less call. */
  chatToolRounds: number;
  /** Wall-clock limit of one run, seconds. */
  runTimeoutS: number;
}

export const DEFAULT_LIMITS: RunLimits = { taskIterations: 20, chatToolRounds: 30, runTimeoutS: 600 };

export type StepDecision =
  | { kind: "call"; tools: boolean }
  | { kind: "stop"; reason: "iteration_limit" | "tool_limit_reached" };

/**
 * Decides the next model call. `calls` counts model calls made so far in this run, `toolRounds` the
 * calls that returned tool calls which were executed, `toolLessCallMade` whether the final tool-less
 * call of a chat turn already happened.
 */
export function decideStep(
  mode: RunMode,
  progress: { calls: number; toolRounds: number; toolLessCallMade: boolean },
  limits: RunLimits = DEFAULT_LIMITS,
): StepDecision {
  if (mode === "task") {
    return progress.calls >= limits.taskIterations
      ? { kind: "stop", reason: "iteration_limit" }
      : { kind: "call", tools: true };
  }
  if (progress.toolRounds < limits.chatToolRounds) return { kind: "call", tools: true };
  if (!progress.toolLessCallMade) return { kind: "call", tools: false };
  return { kind: "stop", reason: "tool_limit_reached" };
}
