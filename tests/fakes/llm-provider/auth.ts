/**
 * Which key a request carried, and whether it is the expected one (constant-time compare).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { Credential, ProviderName } from "./types.js";

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
};

const bearer = (headers: IncomingHttpHeaders): Credential | null => {
  const match = /^Bearer\s+(.+)$/i.exec(header(headers, "authorization") ?? "");
  return match?.[1] ? { source: "authorization", value: match[1].trim() } : null;
};

/** The provider's own key slot first, then the alternatives its SDKs use. */
export function credentialOf(
  provider: ProviderName | null,
  headers: IncomingHttpHeaders,
  query: URLSearchParams,
): Credential | null {
  const apiKey = header(headers, "x-api-key");
  const goog = header(headers, "x-goog-api-key");
  const queryKey = query.get("key");
  if (provider === "anthropic") return apiKey ? { source: "x-api-key", value: apiKey } : bearer(headers);
  if (provider === "gemini") {
    if (goog) return { source: "x-goog-api-key", value: goog };
    return queryKey ? { source: "query-key", value: queryKey } : null;
  }
  return bearer(headers);
}

const digest = (s: string): Buffer => createHash("sha256").update(s).digest();

export const sameKey = (a: string, b: string): boolean => timingSafeEqual(digest(a), digest(b));
