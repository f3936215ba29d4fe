import { ProxyErrors } from "../errors.js";
import { upstreamHeaders } from "../http/headers.js";
import { pathUnderBase } from "../http/path.js";
import { doorLocation, redactSecret, type ScrubRule, scrubHeaders } from "../http/scrub.js";
import type { ProxyContext } from "./context.js";
import { filterModelsList } from "./endpoints.js";
import { forwardsHeader } from "./request-policy.js";
import { type Call, type CallHandler, decorate, type Step } from "./types.js";

const MAX_HELD_BODY = 1024 * 1024;

/**
 * Holds a whole (≤ 1 MiB) response and hands it to `rewrite` before the agent sees it: non-2xx replies are
 * redacted (some providers echo the key they were given in 401 messages), models lists are filtered.
 */
function holdBody(
  handler: CallHandler,
  shouldHold: (status: number) => boolean,
  rewrite: (status: number, body: string) => string,
): CallHandler {
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
      if (!shouldHold(status)) return handler.onResponseStart(status, headers);
      held = { status, headers, chunks: [], size: 0 };
    },
    onResponseData: (chunk) => {
      if (!held) return handler.onResponseData(chunk);
      if (held.size + chunk.length > MAX_HELD_BODY) return;
      held.chunks.push(chunk);
      held.size += chunk.length;
    },
    onResponseEnd: () => {
      if (!held) return handler.onResponseEnd();
      const body = Buffer.from(rewrite(held.status, Buffer.concat(held.chunks).toString("utf8")));
      handler.onResponseStart(held.status, { ...held.headers, "content-length": String(body.length) });
      handler.onResponseData(body);
      handler.onResponseEnd();
    },
  });
}

/** The response side of the key: headers scrubbed on every status, bodies redacted unless 2xx, lists filtered. */
function protectResponse(call: Call, handler: CallHandler, rule: ScrubRule | undefined): CallHandler {
  const scrubbed = rule
    ? decorate(handler, {
        onResponseStart: (status, headers) => handler.onResponseStart(status, scrubHeaders(headers, rule)),
      })
    : handler;
  const listing = call.endpoint?.kind === "models" && call.agent && call.provider;
  const prefix = `${call.provider?.name}/`;
  const allowed = new Set(
    [...(call.agent?.models ?? [])].filter((m) => m.startsWith(prefix)).map((m) => m.slice(prefix.length)),
  );
  return holdBody(
    scrubbed,
    (status) => (listing && status < 300) || (rule !== undefined && (status < 200 || status >= 300)),
    (status, body) => {
      if (listing && status < 300) return filterModelsList(body, allowed) ?? '{"object":"list","data":[]}';
      return rule ? redactSecret(body, rule.secret) : body;
    },
  );
}

const ANTHROPIC_VERSION = "2023-06-01";
/** A key that may stand as a path segment as it is (Telegram's `<bot id>:<secret>`). */
const PATH_KEY = /^[A-Za-z0-9_:.~-]{1,512}$/;

/**
 * Builds the upstream request: only allowlisted client headers pass (LLM door), the client's credentials are
 * gone (headers and `?key=`), the real key is read from its secret file and set in the provider's own style,
 * operator-set headers (organisation, project, beta) come from the config, and the target is the base URL.
 */
export const injectStep =
  (ctx: ProxyContext): Step =>
  (next) =>
  (call, handler) => {
    let wrapped: CallHandler;
    try {
      const search = new URLSearchParams(call.search);
      search.delete("key");
      let origin: string;
      let basePath: string;
      let headers: Record<string, string>;
      let rule: ScrubRule | undefined;
      if (call.door === "llm") {
        const provider = call.provider;
        if (!provider) throw ProxyErrors.unknownProvider(call.target);
        headers = upstreamHeaders(call.req.headers, (name) => forwardsHeader(provider.api, name));
        for (const [name, value] of Object.entries(provider.headers ?? {}))
          headers[name.toLowerCase()] = value;
        origin = provider.origin;
        basePath = provider.basePath;
        const key = provider.credential ? ctx.secrets.credential(provider.credential) : undefined;
        if (key) rule = { secret: key, location: (location) => location };
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
        headers = upstreamHeaders(call.req.headers);
        origin = api.origin;
        const key = api.credential ? ctx.secrets.credential(api.credential) : "";
        // Telegram-style APIs take the key as a path segment (`bot<key>`): the caller's path never holds it.
        if (api.pathPrefix !== undefined && !PATH_KEY.test(key))
          throw ProxyErrors.config(
            `the ${api.credential} secret cannot go in a URL path (unexpected characters)`,
          );
        basePath = api.pathPrefix === undefined ? api.basePath : `${api.basePath}/${api.pathPrefix}${key}`;
        if (api.query) search.delete(api.query);
        if (api.header) headers[api.header.toLowerCase()] = api.scheme ? `${api.scheme} ${key}` : key;
        if (api.query) search.set(api.query, key);
        if (key)
          rule = {
            secret: key,
            location: doorLocation(
              { origin, basePath, currentPath: `${basePath}/${call.rest}` },
              `/api/${api.name}`,
              api.query,
            ),
          };
      }
      const query = search.toString();
      const body = call.body ?? null;
      if (body) headers["content-length"] = String(body.length);
      let path: string;
      try {
        path = pathUnderBase(basePath, call.rest);
      } catch {
        throw ProxyErrors.badPath("the path leaves the base URL");
      }
      call.upstream = {
        origin,
        path: `${path}${query ? `?${query}` : ""}`,
        method: call.req.method ?? "GET",
        headers,
        body,
      };
      wrapped = protectResponse(call, handler, rule);
    } catch (error) {
      handler.onError(error as Error);
      return;
    }
    next(call, wrapped);
  };
