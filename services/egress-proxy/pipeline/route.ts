import { ProxyErrors } from "../errors.js";
import { readBody } from "../http/body.js";
import { bodyWithIncludeUsage, requestFacts } from "../usage/request.js";
import type { ProxyContext } from "./context.js";
import type { Call, CallHandler, Step } from "./types.js";

/** Rejects dot segments, backslashes and encoded separators so `rest` can never climb out of base_url. */
export function checkRestPath(rest: string): string | undefined {
  if (rest.length > 2048) return "path longer than 2048 characters";
  if (/\\|%2f|%5c|%00/i.test(rest)) return "encoded separators are not allowed";
  for (const segment of rest.split("/")) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return "malformed percent-encoding";
    }
    if (decoded === "." || decoded === "..") return "dot segments are not allowed";
  }
  return undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

async function bodyOf(ctx: ProxyContext, call: Call): Promise<Buffer | null> {
  const method = call.req.method ?? "GET";
  if (method === "GET" || method === "HEAD") {
    call.req.resume();
    return null;
  }
  return readBody(call.req, ctx.limits.maxBodyBytes);
}

/** LLM door: provider, path, body, model allowlist; fills call.facts/model and the (possibly rewritten) body. */
export const llmRouteStep =
  (ctx: ProxyContext): Step =>
  (next) =>
  (call, handler) => {
    route(ctx, call)
      .then(() => next(call, handler))
      .catch((error: Error) => handler.onError(error));
  };

async function route(ctx: ProxyContext, call: Call): Promise<void> {
  const provider = ctx.config.providers.get(call.target);
  if (!provider) throw ProxyErrors.unknownProvider(call.target);
  call.provider = provider;
  const bad = checkRestPath(call.rest);
  if (bad) throw ProxyErrors.badPath(bad);
  const method = call.req.method ?? "GET";
  if (!["GET", "HEAD", "POST"].includes(method))
    throw ProxyErrors.methodNotAllowed(method, `/llm/${call.target}/`);
  const body = await bodyOf(ctx, call);
  const agent = call.agent;
  if (!agent) throw ProxyErrors.unauthenticated("llm route");
  if (body === null) {
    call.body = undefined;
    return;
  }
  let json: Record<string, unknown> = {};
  if (body.length > 0) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString("utf8"));
    } catch {
      throw ProxyErrors.badBody("not valid JSON");
    }
    if (!isObject(parsed)) throw ProxyErrors.badBody("expected a JSON object");
    json = parsed;
  }
  const facts = requestFacts(provider.api, call.rest, json, body.length, agent.maxTokens);
  if (!facts.model) throw ProxyErrors.modelMissing();
  const model = `${provider.name}/${facts.model}`;
  if (!agent.models.has(model)) throw ProxyErrors.modelForbidden(agent.id, model, agent.modelList);
  call.facts = facts;
  call.model = model;
  call.body = facts.injectUsage ? bodyWithIncludeUsage(body, json) : body;
}

/** API door: the API must be configured and in the agent's allowed_apis. */
export const apiRouteStep =
  (ctx: ProxyContext): Step =>
  (next) =>
  (call: Call, handler: CallHandler) => {
    const run = async () => {
      const api = ctx.config.apis.get(call.target);
      const agent = call.agent;
      if (!api || !agent?.allowedApis.has(api.name))
        throw ProxyErrors.apiForbidden(agent?.id ?? "?", call.target);
      const bad = checkRestPath(call.rest);
      if (bad) throw ProxyErrors.badPath(bad);
      call.api = api;
      call.body = (await bodyOf(ctx, call)) ?? undefined;
    };
    run()
      .then(() => next(call, handler))
      .catch((error: Error) => handler.onError(error));
  };
