import { request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import { isOlError } from "../../common/errors.js";
import { ProxyErrors } from "../errors.js";
import { readBody } from "../http/body.js";
import { downstreamHeaders, upstreamHeaders } from "../http/headers.js";
import { sendError } from "../http/respond.js";
import type { CheckedTarget, Resolver } from "../net/resolver.js";
import type { ProxyContext } from "../pipeline/context.js";
import { checkEgressTarget, proxyAgent } from "./egress-policy.js";

/** A lookup that answers with the already-checked addresses only: no second DNS query, so rebinding cannot bite. */
export function pinnedLookup(target: CheckedTarget): LookupFunction {
  return (_host, options, callback) => {
    const all = target.addresses.map((a) => ({ address: a.address, family: a.family }));
    if ((options as { all?: boolean }).all) (callback as (e: null, a: typeof all) => void)(null, all);
    else callback(null, all[0]?.address ?? "", all[0]?.family ?? 4);
  };
}

/**
 * Absolute-URI HTTP (`GET http://host/path`, what undici's ProxyAgent sends with proxyTunnel: false).
 * Redirects are returned to the caller (which re-enters the allowlist), never followed here.
 */
export async function handleForward(
  ctx: ProxyContext,
  resolver: Resolver,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  try {
    const agent = proxyAgent(ctx, req);
    let url: URL;
    try {
      url = new URL(req.url ?? "");
    } catch {
      throw ProxyErrors.badPath("absolute URI expected");
    }
    if ((url.protocol !== "http:" && url.protocol !== "https:") || url.username || url.password) {
      throw ProxyErrors.badPath("only http(s) URLs without userinfo can be proxied");
    }
    const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
    const target = await checkEgressTarget(ctx, resolver, agent, url.hostname, port);
    const body = await readBody(req, ctx.limits.maxBodyBytes);
    const headers = upstreamHeaders(req.headers, (name) => !name.startsWith("proxy-"));
    // The agent's own Authorization (if any) is its business on the forward door; only proxy credentials go.
    if (req.headers.authorization) headers.authorization = String(req.headers.authorization);
    headers.host = url.host;
    if (body.length > 0) headers["content-length"] = String(body.length);
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    await new Promise<void>((resolve) => {
      const upstream = send(
        {
          host: url.hostname.replace(/^\[|\]$/g, ""),
          port,
          path: `${url.pathname}${url.search}`,
          method: req.method,
          headers,
          lookup: pinnedLookup(target),
          agent: false,
          servername: url.hostname,
          timeout: ctx.limits.upstreamHeadersTimeoutMs,
        },
        (response) => {
          res.writeHead(response.statusCode ?? 502, downstreamHeaders(response.headers, false));
          response.pipe(res);
          response.on("end", resolve);
          response.on("error", () => {
            res.destroy();
            resolve();
          });
        },
      );
      upstream.on("timeout", () => upstream.destroy(ProxyErrors.upstreamTimeout(url.host, "the response")));
      upstream.on("error", (error) => {
        if (!res.headersSent)
          sendError(res, isOlError(error) ? error : ProxyErrors.upstreamFailed(url.host, "connection error"));
        else res.destroy();
        resolve();
      });
      res.on("close", () => {
        if (!res.writableFinished) upstream.destroy();
        resolve();
      });
      upstream.end(body);
    });
    ctx.metrics.requests.inc({
      agent: agent.id,
      route: "forward",
      provider: "",
      model: "",
      status: String(res.statusCode),
    });
  } catch (error) {
    sendError(res, isOlError(error) ? error : ProxyErrors.upstreamFailed("forward", "internal error"));
  }
}
