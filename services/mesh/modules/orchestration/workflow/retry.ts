import { createHash } from "node:crypto";
import type { RetryDef } from "./definition.js";
import type { ErrorKind } from "./types.js";

/**
 * delay(n) = min(initial × factor^(n−1), max), then jitter: full = U(0, delay), equal =
 * delay/2 + U(0, delay/2) (research/mesh.md §1.3). `n` is the attempt that just failed (1-based).
 */
export function retryDelayMs(retry: RetryDef, failedAttempt: number, random: () => number): number {
  const base = Math.min(retry.initial_ms * retry.factor ** (failedAttempt - 1), retry.max_ms);
  switch (retry.jitter) {
    case "none":
      return Math.round(base);
    case "full":
      return Math.round(random() * base);
    case "equal":
      return Math.round(base / 2 + random() * (base / 2));
  }
}

/** Error classes that are never retried, whatever retry_on says. */
const NEVER: ReadonlySet<ErrorKind> = new Set([
  "validation",
  "condition_error",
  "cancelled",
  "rejected",
  "deadline",
  "interrupted",
]);

export function isRetryable(retry: RetryDef, kind: ErrorKind): boolean {
  if (NEVER.has(kind)) return false;
  return (retry.retry_on as readonly string[]).includes(kind);
}

/** Idempotency key of one attempt: sha256(run_id ‖ step_id ‖ attempt). Same attempt, same key. */
export function dispatchKey(runId: string, stepId: string, attempt: number): string {
  return createHash("sha256").update(`${runId}\u0000${stepId}\u0000${attempt}`).digest("hex");
}
