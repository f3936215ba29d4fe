import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";
import { CREDENTIAL_HEADERS } from "../auth.js";

/**
 * Headers never copied upstream: hop-by-hop (RFC 9110 §7.6.1), the client's credentials, routing headers that
 * would leak the proxy's view (`host`, `forwarded`, `x-forwarded-*`), and length/encoding (recomputed; the proxy
 * asks for `identity` so the metering tap never sees gzip). undici also rejects several of these outright.
 */
const DROP_UPSTREAM = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
  "expect",
  "host",
  "content-length",
  "accept-encoding",
  "forwarded",
  "x-forwarded-for",
  "x-forwarded-host",
  "x-forwarded-proto",
  "x-real-ip",
  ...CREDENTIAL_HEADERS,
]);

export function upstreamHeaders(
  incoming: IncomingHttpHeaders,
  keep: (name: string) => boolean = () => true,
): Record<string, string> {
  const out: Record<string, string> = {};
  const connectionTokens = String(incoming.connection ?? "")
    .toLowerCase()
    .split(",")
    .map((t) => t.trim());
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined || DROP_UPSTREAM.has(name) || connectionTokens.includes(name) || !keep(name))
      continue;
    out[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  out["accept-encoding"] = "identity";
  return out;
}

const DROP_DOWNSTREAM = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
  "trailer",
  "te",
]);

/** Response headers passed back to the client (minus hop-by-hop; `dropLength` when the body is rewritten). */
export function downstreamHeaders(
  incoming: Record<string, string | string[] | undefined>,
  dropLength: boolean,
): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined || DROP_DOWNSTREAM.has(name)) continue;
    if (dropLength && name === "content-length") continue;
    out[name] = value;
  }
  return out;
}
