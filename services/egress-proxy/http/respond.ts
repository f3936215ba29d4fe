import type { ServerResponse } from "node:http";
import type { ProxyErrorBody } from "../../common/contracts/proxy-error.js";
import { isOlError, type OlError } from "../../common/errors.js";
import { PROXY_CHALLENGES } from "../auth.js";
import { ProxyErrors } from "../errors.js";

/** Error `type` values SDKs and agents can branch on (the stable `code` is alongside). */
const TYPES: Record<string, string> = {
  [ProxyErrors.budgetExceeded.code]: "budget_exceeded",
  [ProxyErrors.agentFrozen.code]: "agent_frozen",
  [ProxyErrors.modelCooldown.code]: "model_cooldown",
  [ProxyErrors.modelForbidden.code]: "permission_error",
  [ProxyErrors.unauthenticated.code]: "authentication_error",
  [ProxyErrors.tooManyInFlight.code]: "rate_limit_error",
  [ProxyErrors.contextOverflow.code]: "invalid_request_error",
};

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string | string[]> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
    ...headers,
  });
  res.end(text);
}

/** Normalizes anything thrown to an OlError without leaking its message (unknown errors become a generic 500). */
export function toOlError(error: unknown): OlError {
  if (isOlError(error)) return error;
  return ProxyErrors.upstreamFailed("proxy", "internal error");
}

/**
 * One error shape for every door, readable by the OpenAI and Anthropic SDKs (`error.message`, `error.type`)
 * and by our agents (`code`, `retryable`): {type:"error", statusCode, code, message, error:{type, code, message, …details}}.
 */
export function errorBody(error: OlError): ProxyErrorBody {
  return {
    type: "error",
    statusCode: error.status,
    code: error.code,
    message: error.message,
    error: {
      type: TYPES[error.code] ?? "proxy_error",
      code: error.code,
      message: error.message,
      ...(error.details ?? {}),
    },
  };
}

export function sendError(res: ServerResponse, error: OlError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers: Record<string, string | string[]> = {};
  const retryAfter = error.details?.retry_after_s;
  if (typeof retryAfter === "number") headers["retry-after"] = String(retryAfter);
  if (error.code === ProxyErrors.modelCooldown.code) {
    headers["x-openlegion-cooldown"] = `${String(error.details?.model)}; retry-after=${String(retryAfter)}`;
  }
  if (error.status === 407) headers["proxy-authenticate"] = PROXY_CHALLENGES;
  // Names the refusal as the proxy's own (a browser cannot read an opaque response's body).
  headers["x-openlegion-error"] = error.code;
  sendJson(res, error.status, errorBody(error), headers);
}
