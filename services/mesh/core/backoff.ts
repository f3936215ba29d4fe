/**
 * Push-delivery retry policy as data (undici retry-handler style): exponential with a cap, full
 * attempt count, then dead-letter. Dead-lettered messages stay pullable via GET /v1/inbox.
 */
export interface RetryPolicy {
  readonly baseMs: number;
  readonly maxMs: number;
  readonly maxAttempts: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 500, maxMs: 60_000, maxAttempts: 12 };

/** Delay before attempt `attempt + 1` after `attempt` failures (attempt ≥ 1). Deterministic. */
export function backoffMs(policy: RetryPolicy, attempt: number): number {
  const exp = policy.baseMs * 2 ** Math.max(0, attempt - 1);
  return Math.min(policy.maxMs, exp);
}

export const shouldDeadLetter = (policy: RetryPolicy, attempts: number): boolean =>
  attempts >= policy.maxAttempts;
