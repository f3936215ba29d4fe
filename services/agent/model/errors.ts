import { APICallError } from "ai";
import { parseProxyError } from "../../common/contracts/proxy-error.js";
import { type ModelFailure, parseRetryAfter } from "../core/failover.js";

/** Text of a proxy/provider error body, without echoing anything huge. */
function bodyMessage(body: string | undefined): string | undefined {
  if (!body) return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === "object") {
      const p = parsed as { message?: unknown; error?: unknown; code?: unknown };
      const inner =
        typeof p.error === "object" && p.error !== null
          ? (p.error as { message?: unknown }).message
          : p.error;
      const msg = typeof p.message === "string" ? p.message : typeof inner === "string" ? inner : undefined;
      if (msg) return typeof p.code === "string" ? `${p.code}: ${msg}` : msg;
    }
  } catch {
    // not JSON: fall through to the raw text
  }
  return body.slice(0, 300);
}

/**
 * Normalises whatever a model call threw into a ModelFailure for the pure failover policy. An
 * APICallError with a 2xx status is a stream that broke after the headers; without a status it is a
 * network failure (connection refused, reset, DNS).
 */
export function toModelFailure(error: unknown, afterFirstToken: boolean, aborted: boolean): ModelFailure {
  if (aborted) return { kind: "abort", afterFirstToken, message: "aborted" };
  const cause = unwrap(error);
  if (APICallError.isInstance(cause)) {
    const status = cause.statusCode;
    const message = bodyMessage(cause.responseBody) ?? cause.message;
    if (status === undefined) return { kind: "network", afterFirstToken, message };
    // The proxy's own answers carry a code the agent acts on (services/common/contracts/proxy-error.ts).
    const code = parseProxyError(cause.responseBody)?.code;
    if (status >= 200 && status < 300) return { kind: "stream", afterFirstToken, status, message };
    const retryAfterS = parseRetryAfter(cause.responseHeaders?.["retry-after"]);
    return {
      kind: "http",
      status,
      afterFirstToken,
      message,
      ...(code === undefined ? {} : { code }),
      ...(retryAfterS === undefined ? {} : { retryAfterS }),
    };
  }
  const message = cause instanceof Error ? cause.message : String(cause);
  return { kind: "stream", afterFirstToken, message };
}

/** RetryError and friends wrap the APICallError; dig it out (bounded). */
function unwrap(error: unknown): unknown {
  let current = error;
  for (let i = 0; i < 5; i++) {
    if (APICallError.isInstance(current)) return current;
    const next =
      current && typeof current === "object" && "lastError" in current
        ? (current as { lastError: unknown }).lastError
        : current instanceof Error
          ? current.cause
          : undefined;
    if (next === undefined) return current;
    current = next;
  }
  return current;
}
