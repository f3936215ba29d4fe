import { type Dispatcher, ProxyAgent, request } from "undici";
import { z } from "zod";
import { ToolErrors } from "./errors.js";
import { defineTool } from "./types.js";

export const HTTP_TIMEOUT_S = 30;
export const HTTP_MAX_READ_BYTES = 10_000_000;
export const HTTP_RETURN_CHARS = 50_000;
export const HTTP_MAX_REDIRECTS = 5;
export const HTTP_MAX_BODY_BYTES = 1_000_000;

/**
 * The agent's only way out: an explicit undici ProxyAgent to the egress proxy with the agent token.
 * Env proxy variables (HTTP_PROXY, NO_PROXY) are never read, so a command run by exec cannot opt out.
 * Plain http:// is forwarded in absolute form (the proxy can inspect it); https:// tunnels via CONNECT.
 */
export function createProxyDispatcher(proxyUrl: string, agentToken: string): Dispatcher {
  return new ProxyAgent({
    uri: proxyUrl,
    token: `Bearer ${agentToken}`,
    proxyTunnel: false,
    connections: 16,
  });
}

/** Headers the model may not set: hop-by-hop and the proxy's own credential slot. */
const FORBIDDEN_HEADERS = new Set([
  "host",
  "proxy-authorization",
  "connection",
  "content-length",
  "transfer-encoding",
  "upgrade",
]);

export interface FetchResult {
  status: number;
  headers: Record<string, string>;
  body: string;
  truncated: boolean;
  url: string;
}

/** One request through the proxy, following up to HTTP_MAX_REDIRECTS redirects (each re-checked by the proxy). */
export async function proxiedFetch(
  dispatcher: Dispatcher,
  init: {
    url: string;
    method: string;
    headers?: Record<string, string>;
    body?: string;
    timeoutS?: number;
    signal: AbortSignal;
  },
): Promise<FetchResult> {
  let url = init.url;
  let method = init.method;
  let body = init.body;
  const signal = AbortSignal.any([
    init.signal,
    AbortSignal.timeout((init.timeoutS ?? HTTP_TIMEOUT_S) * 1000),
  ]);
  for (let hop = 0; ; hop++) {
    const parsed = new URL(url);
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
      throw ToolErrors.http(`only http and https URLs are allowed, got ${parsed.protocol}`);
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, {
        method: method as Dispatcher.HttpMethod,
        headers: init.headers,
        body,
        dispatcher,
        signal,
      });
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      if (/407/.test(msg))
        throw ToolErrors.http(`the egress proxy refused ${parsed.host}: proxy authentication failed`);
      if (/403|Forbidden/i.test(msg))
        throw ToolErrors.http(`the egress proxy refused ${parsed.host}: not in this agent's allowed_hosts`);
      throw ToolErrors.http(`request to ${parsed.host} failed: ${msg}`);
    }
    const location = res.headers.location;
    if (
      res.statusCode >= 300 &&
      res.statusCode < 400 &&
      typeof location === "string" &&
      hop < HTTP_MAX_REDIRECTS
    ) {
      res.body.resume();
      url = new URL(location, url).toString();
      if (
        res.statusCode === 303 ||
        ((res.statusCode === 301 || res.statusCode === 302) && method === "POST")
      ) {
        method = "GET";
        body = undefined;
      }
      continue;
    }
    if (res.statusCode === 403 || res.statusCode === 407) {
      const text = (await res.body.text()).slice(0, 500);
      throw ToolErrors.http(`the egress proxy refused ${parsed.host} (HTTP ${res.statusCode}): ${text}`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    for await (const chunk of res.body) {
      const buf = chunk as Buffer;
      size += buf.length;
      if (size > HTTP_MAX_READ_BYTES) {
        truncated = true;
        res.body.destroy();
        break;
      }
      chunks.push(buf);
    }
    let text = Buffer.concat(chunks).toString("utf8");
    if (text.length > HTTP_RETURN_CHARS) {
      text = text.slice(0, HTTP_RETURN_CHARS);
      truncated = true;
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) if (typeof v === "string") headers[k] = v;
    return { status: res.statusCode, headers, body: text, truncated, url };
  }
}

export const httpRequestTool = defineTool({
  name: "http_request",
  description: `HTTP request through the egress proxy (only hosts allowed for this agent). Timeout ${HTTP_TIMEOUT_S} s, up to ${HTTP_MAX_REDIRECTS} redirects, body returned up to ${HTTP_RETURN_CHARS} characters.`,
  input: z.strictObject({
    url: z.url({ protocol: /^https?$/ }),
    method: z.enum(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"]).optional(),
    headers: z.object({}).catchall(z.string()).optional(),
    body: z.string().max(HTTP_MAX_BODY_BYTES).optional(),
    timeout_s: z.int().min(1).max(120).optional(),
  }),
  async run(args, ctx) {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(args.headers ?? {})) {
      if (!FORBIDDEN_HEADERS.has(k.toLowerCase())) headers[k] = v;
    }
    return proxiedFetch(ctx.proxy, {
      url: args.url,
      method: args.method ?? "GET",
      headers,
      body: args.body,
      timeoutS: args.timeout_s,
      signal: ctx.signal,
    });
  },
});
