/**
 * Error bodies in each provider's real shape, so SDKs map them to their own error classes and a proxy's
 * pass-through can be checked byte for byte. Messages never echo a key, not even masked.
 */
import type { ProviderName } from "./types.js";

interface Kind {
  openai: [type: string, code: string | null, message: string];
  anthropic: [type: string, message: string];
  gemini: [status: string, message: string];
}

const KINDS: Record<number, Kind> = {
  400: {
    openai: ["invalid_request_error", null, "Invalid request."],
    anthropic: ["invalid_request_error", "Invalid request."],
    gemini: ["INVALID_ARGUMENT", "Request contains an invalid argument."],
  },
  401: {
    openai: ["invalid_request_error", "invalid_api_key", "Incorrect API key provided."],
    anthropic: ["authentication_error", "invalid x-api-key"],
    gemini: ["UNAUTHENTICATED", "API key not valid. Please pass a valid API key."],
  },
  402: {
    openai: ["insufficient_quota", "insufficient_quota", "You exceeded your current quota."],
    anthropic: ["billing_error", "Your credit balance is too low to access the API."],
    gemini: ["FAILED_PRECONDITION", "Billing is not enabled for this project."],
  },
  403: {
    openai: [
      "request_forbidden",
      "unsupported_country_region_territory",
      "Country, region, or territory not supported",
    ],
    anthropic: ["permission_error", "Your API key does not have permission to use the specified resource."],
    gemini: ["PERMISSION_DENIED", "The caller does not have permission."],
  },
  404: {
    openai: [
      "invalid_request_error",
      "model_not_found",
      "The model does not exist or you do not have access to it.",
    ],
    anthropic: ["not_found_error", "model not found"],
    gemini: ["NOT_FOUND", "Requested entity was not found."],
  },
  413: {
    openai: ["invalid_request_error", "request_too_large", "Request body too large."],
    anthropic: ["request_too_large", "Request exceeds the maximum allowed number of bytes."],
    gemini: ["INVALID_ARGUMENT", "Request payload size exceeds the limit."],
  },
  429: {
    openai: ["requests", "rate_limit_exceeded", "Rate limit reached for requests. Please try again in 1s."],
    anthropic: ["rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit."],
    gemini: ["RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota)."],
  },
  500: {
    openai: ["server_error", null, "The server had an error while processing your request."],
    anthropic: ["api_error", "Internal server error"],
    gemini: ["INTERNAL", "An internal error has occurred."],
  },
  503: {
    openai: ["server_error", "server_is_overloaded", "The server is overloaded. Please try again later."],
    anthropic: ["overloaded_error", "Overloaded"],
    gemini: ["UNAVAILABLE", "The model is overloaded. Please try again later."],
  },
  529: {
    openai: ["server_error", "server_is_overloaded", "The server is overloaded. Please try again later."],
    anthropic: ["overloaded_error", "Overloaded"],
    gemini: ["UNAVAILABLE", "The model is overloaded. Please try again later."],
  },
};

const fallback = (status: number): Kind => (status >= 500 ? (KINDS[500] as Kind) : (KINDS[400] as Kind));

/** The JSON error body `provider` sends for `status`; `message` replaces the default text. */
export function errorBody(
  provider: ProviderName,
  status: number,
  requestId: string,
  message?: string,
): unknown {
  const kind = KINDS[status] ?? fallback(status);
  if (provider === "anthropic") {
    const [type, text] = kind.anthropic;
    return { type: "error", error: { type, message: message ?? text }, request_id: requestId };
  }
  if (provider === "gemini") {
    const [statusName, text] = kind.gemini;
    return { error: { code: status, message: message ?? text, status: statusName } };
  }
  const [type, code, text] = kind.openai;
  return { error: { message: message ?? text, type, param: null, code } };
}
