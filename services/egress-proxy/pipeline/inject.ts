import { ProxyErrors } from "../errors.js";
import { upstreamHeaders } from "../http/headers.js";
import type { ProxyContext } from "./context.js";
import { type CallHandler, decorate, type Step } from "./types.js";

const MAX_ERROR_BODY = 1024 * 1024;

/**
 * Upstream error replies are held (≤ 1 MiB) and any occurrence of the injected key is redacted before they
 * reach the agent: some providers echo the key they were given in 401 messages.
 */
function redactErrors(handler: CallHandler, key: string | undefined): CallHandler {
  if (!key) return handler;
  let held:
    | {
        status: number;
        headers: Parameters<CallHandler["onResponseStart"]>[1];
        chunks: Buffer[];
        size: number;
      }
    | undefined;
  return decorate(handler, {
    onResponseStart: (status, headers) => {
      if (status < 400) return handler.onResponseStart(status, headers);
      held = { status, headers, chunks: [], size: 0 };
    },
    onResponseData: (chunk) => {
      if (!held) return handler.onResponseData(chunk);
      if (held.size + chunk.length > MAX_ERROR_BODY) return;
      held.chunks.push(chunk);
      held.size += chunk.length;
    },
    onResponseEnd: () => {
      if (!held) return handler.onResponseEnd();
      const body = Buffer.from(Buffer.concat(held.chunks).toString("utf8").replaceAll(key, "[redacted]"));
      handler.onResponseStart(held.status, { ...held.headers, "content-length": String(body.length) });
      handler.onResponseData(body);
      handler.onResponseEnd();
    },
  });
}

const ANTHROPIC_VERSION = "2023-06-01";

/**
 * Builds the upstream request: the client's credentials are gone (headers and `?key=`), the real key is
 * read from its secret file and set in the provider's own style, and the target is the configured base URL.
 */
export const injectStep =
  (ctx: ProxyContext): Step =>
  (next) =>
  (call, handler) => {
    let wrapped: CallHandler;
    try {
      const search = new URLSearchParams(call.search);
      search.delete("key");
      const headers = upstreamHeaders(call.req.headers);
      let origin: string;
      let basePath: string;
      let injected: string | undefined;
      if (call.door === "llm") {
        const provider = call.provider;
        if (!provider) throw ProxyErrors.unknownProvider(call.target);
        origin = provider.origin;
        basePath = provider.basePath;
        const key = provider.credential ? ctx.secrets.credential(provider.credential) : undefined;
        injected = key;
        if (provider.api === "anthropic") {
          headers["anthropic-version"] ??= ANTHROPIC_VERSION;
          if (key) headers["x-api-key"] = key;
        } else if (provider.api === "gemini") {
          if (key) headers["x-goog-api-key"] = key;
        } else if (key) {
          headers.authorization = `Bearer ${key}`;
        }
      } else {
        const api = call.api;
        if (!api) throw ProxyErrors.apiForbidden(call.agent?.id ?? "?", call.target);
        origin = api.origin;
        basePath = api.basePath;
        const key = ctx.secrets.credential(api.credential);
        injected = key;
        if (api.query) search.delete(api.query);
        if (api.header) headers[api.header.toLowerCase()] = key;
        if (api.query) search.set(api.query, key);
      }
      const query = search.toString();
      const body = call.body ?? null;
      if (body) headers["content-length"] = String(body.length);
      call.upstream = {
        origin,
        path: `${basePath}/${call.rest}${query ? `?${query}` : ""}`,
        method: call.req.method ?? "GET",
        headers,
        body,
      };
      wrapped = redactErrors(handler, injected);
    } catch (error) {
      handler.onError(error as Error);
      return;
    }
    next(call, wrapped);
  };
