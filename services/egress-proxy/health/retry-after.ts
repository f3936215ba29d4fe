import type { IncomingHttpHeaders } from "node:http";

/** A provider's `retry-after` never cools a model for longer than this (a bogus year-long value would brick it). */
export const MAX_RETRY_AFTER_S = 86_400;

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/**
 * Seconds a provider asked us to wait, from `retry-after-ms` (OpenAI) or `retry-after` (RFC 9110 §10.2.3:
 * delta-seconds or an HTTP-date), rounded up and capped at MAX_RETRY_AFTER_S; undefined when absent or
 * unreadable. Pure: `nowMs` is the clock for HTTP-dates.
 */
export function retryAfterSeconds(headers: IncomingHttpHeaders, nowMs: number): number | undefined {
  const ms = first(headers["retry-after-ms"])?.trim();
  if (ms && /^\d+(\.\d+)?$/.test(ms)) return clamp(Number(ms) / 1000);
  const value = first(headers["retry-after"])?.trim();
  if (!value || value.length > 64) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return clamp(Number(value));
  // HTTP-date: three forms, all containing a letter; Date.parse reads IMF-fixdate, RFC 850 and asctime.
  if (!/[A-Za-z]/.test(value)) return undefined;
  const at = Date.parse(value);
  return Number.isFinite(at) ? clamp((at - nowMs) / 1000) : undefined;
}

function clamp(seconds: number): number | undefined {
  if (!Number.isFinite(seconds) || seconds <= 0) return undefined;
  return Math.min(Math.ceil(seconds), MAX_RETRY_AFTER_S);
}
