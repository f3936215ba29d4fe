import { PROXY_AGENT_CODES } from "../../common/contracts/proxy-error.js";

/**
 * Failover policy (ARCHITECTURE.md §6, §8): which proxy answers move the step to the next model in
 * `[model, ...fallback_models]`. Pure data in, decision out; model/errors.ts turns AI SDK errors into
 * a `ModelFailure`.
 */
export interface ModelFailure {
  /** HTTP status from the proxy, absent for network/stream failures. */
  status?: number;
  /** "http": an error answer; "network": no answer; "stream": the answer broke off; "abort": we cancelled. */
  kind: "http" | "network" | "stream" | "abort";
  /** Whether any text or tool call had been streamed to us before the failure. */
  afterFirstToken: boolean;
  /** The egress proxy's error code, when the answer is the proxy's own (PROXY_AGENT_CODES). */
  code?: string;
  /** Seconds from a `retry-after` header, when present and sane. */
  retryAfterS?: number;
  message: string;
}

/**
 * 429 (rate limit), 408, 5xx including the proxy's 503 cooldown answer, and network failures or broken
 * streams before the first token are the model's problem: try the next model. 400/404 (bad request,
 * unknown model), 401/403 (auth, allowlist), 402 (the agent's budget, which no other model changes) and
 * anything after the first token are not: retrying elsewhere would repeat or duplicate the answer.
 */
const STOP_CODES: ReadonlySet<string> = new Set([
  PROXY_AGENT_CODES.contextOverflow,
  PROXY_AGENT_CODES.budgetExceeded,
  PROXY_AGENT_CODES.agentFrozen,
]);

export function shouldFailover(failure: ModelFailure): boolean {
  if (failure.kind === "abort") return false;
  if (failure.afterFirstToken) return false;
  // The proxy says what happened: a cooling model is the model's problem; an overflow, a spent budget
  // or a frozen agent is not (the overflow is handled by compacting the context, not by another model).
  if (failure.code === PROXY_AGENT_CODES.modelCooldown) return true;
  if (STOP_CODES.has(failure.code ?? "")) return false;
  if (failure.kind === "network" || failure.kind === "stream") return true;
  const s = failure.status;
  if (s === undefined) return false;
  return s === 408 || s === 429 || (s >= 500 && s <= 599);
}

export const MAX_RETRY_AFTER_WAIT_S = 20;

export type FailoverDecision =
  | { action: "try"; model: string; waitS: number }
  | { action: "give_up"; reason: "not_retryable" | "exhausted" };

/**
 * Given the ordered model list and the failures so far in this step (one entry per attempt, in order),
 * picks the next attempt. One pass over the list; when every model failed retryably and the shortest
 * `retry-after` is at most MAX_RETRY_AFTER_WAIT_S, one second pass starts after that wait (default 1 s).
 */
export function nextAttempt(models: readonly string[], failures: readonly ModelFailure[]): FailoverDecision {
  const first = models[0];
  if (first === undefined) return { action: "give_up", reason: "exhausted" };
  if (failures.length === 0) return { action: "try", model: first, waitS: 0 };
  const last = failures[failures.length - 1];
  if (last === undefined || !shouldFailover(last)) return { action: "give_up", reason: "not_retryable" };
  const n = failures.length;
  if (n < models.length) return { action: "try", model: models[n] ?? first, waitS: 0 };
  if (n >= models.length * 2) return { action: "give_up", reason: "exhausted" };
  if (n > models.length) return { action: "try", model: models[n - models.length] ?? first, waitS: 0 };
  const waits = failures.map((f) => f.retryAfterS ?? 1);
  const wait = Math.min(...waits);
  if (wait > MAX_RETRY_AFTER_WAIT_S) return { action: "give_up", reason: "exhausted" };
  return { action: "try", model: first, waitS: wait };
}

/** Parses a `retry-after` header (seconds or HTTP date) into seconds ≥ 0, or undefined. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.min(Number(trimmed), 86_400);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.min((at - now) / 1000, 86_400));
}
