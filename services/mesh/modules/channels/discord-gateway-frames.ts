/**
 * Pure rewrites for Discord's gateway relay (discord-gateway-relay.ts): every gateway URL discord.js
 * learns — REST `GET /gateway(/bot)`'s `url`, the READY dispatch's `resume_gateway_url` — is swapped for
 * the relay's loopback URL standing for it, so first connections and resumes both go through the relay.
 * This only works on JSON text frames, which is why the relay accepts only `encoding=json` without
 * transport compression.
 */

/** Swaps a real gateway URL for the relay's URL that stands for it. */
export type Alias = (realUrl: string) => string;

/** `GET /gateway` or `GET /gateway/bot` (any API version). */
export function isGatewayInfoPath(pathname: string): boolean {
  return /\/gateway(\/bot)?\/?$/.test(pathname);
}

/** The gateway-info body with its `url` aliased; undefined when it has no string `url` (left as is). */
export function rewriteGatewayInfo(body: string, alias: Alias): string | undefined {
  let info: unknown;
  try {
    info = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!isRecord(info) || typeof info.url !== "string") return undefined;
  return JSON.stringify({ ...info, url: alias(info.url) });
}

/** A gateway text frame with READY's `resume_gateway_url` aliased; every other frame is returned as is. */
export function rewriteGatewayFrame(text: string, alias: Alias): string {
  if (!text.includes('"resume_gateway_url"')) return text; // the common case costs no parse
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    return text;
  }
  if (!isRecord(frame) || frame.op !== 0 || !isRecord(frame.d)) return text;
  const resume = frame.d.resume_gateway_url;
  if (typeof resume !== "string") return text;
  return JSON.stringify({ ...frame, d: { ...frame.d, resume_gateway_url: alias(resume) } });
}

/**
 * The upstream URL for a client connection: the real gateway URL with the client's query, or an error
 * when the client asked for an encoding or compression the relay cannot rewrite.
 */
export function upstreamUrl(real: string, clientQuery: URLSearchParams): URL | string {
  const encoding = clientQuery.get("encoding") ?? "json";
  if (encoding !== "json") return `gateway encoding ${encoding} is not supported by the relay (json only)`;
  if (clientQuery.has("compress"))
    return `gateway transport compression (${clientQuery.get("compress")}) is not supported by the relay`;
  const url = new URL(real);
  if (url.protocol !== "wss:" && url.protocol !== "ws:") return `gateway URL ${url.protocol} is not ws(s)`;
  url.search = clientQuery.toString();
  return url;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
