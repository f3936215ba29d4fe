import type { ResolvedAgent } from "../config.js";
import { ProxyErrors } from "../errors.js";
import { readBody } from "../http/body.js";
import { checkRestPath } from "../http/path.js";
import { findUrlRule } from "../net/hosts.js";
import { TOOL_CALLS_RESERVED } from "../pricing/table.js";
import { bodyWithIncludeUsage, requestFacts } from "../usage/request.js";
import type { ProxyContext } from "./context.js";
import { classifyEndpoint } from "./endpoints.js";
import { dropRoutingFields, serverToolsOf } from "./request-policy.js";
import type { Call, CallHandler, Step } from "./types.js";

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
  const agent = call.agent;
  if (!agent) throw ProxyErrors.unauthenticated("llm route");
  const endpoint = classifyEndpoint(provider.api, method, call.rest, agent.endpointGrants);
  if (!endpoint) {
    call.req.resume();
    throw ProxyErrors.endpointForbidden(agent.id, method, `/llm/${provider.name}/${call.rest}`);
  }
  call.endpoint = endpoint;
  const body = await bodyOf(ctx, call);
  // Models lists and granted endpoints are not inference: nothing to meter, so no model to check.
  if (endpoint.kind !== "inference") {
    call.body = body ?? undefined;
    return;
  }
  if (body === null) throw ProxyErrors.badBody("an inference request needs a JSON body");
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
  let rewrite = false;
  let model = `${provider.name}/${facts.model}`;
  // LiteLLM users write the provider prefix into the model name: accept it and send the bare id.
  const prefix = `${provider.name}/`;
  if (!agent.models.has(model) && facts.model.startsWith(prefix) && agent.models.has(facts.model)) {
    model = facts.model;
    facts.model = facts.model.slice(prefix.length);
    if (provider.api !== "gemini") {
      json.model = facts.model;
      rewrite = true;
    }
  }
  if (!agent.models.has(model)) throw ProxyErrors.modelForbidden(agent.id, model, agent.modelList);
  const tools = serverToolsOf(provider.api, json);
  const refused = tools.filter((tool) => !agent.serverTools.has(tool));
  if (refused.length > 0) throw ProxyErrors.serverToolForbidden(agent.id, refused);
  const dropped = dropRoutingFields(json);
  if (dropped.length > 0) {
    rewrite = true;
    if (!ctx.warnedRouting.has(agent.id)) {
      ctx.warnedRouting.add(agent.id);
      ctx.log.warn({ agent: agent.id, fields: dropped }, "dropped key- or endpoint-selecting body fields");
    }
  }
  call.facts = facts;
  call.model = model;
  call.serverTools = tools;
  const maxCalls = json.max_tool_calls;
  call.serverToolCalls =
    typeof maxCalls === "number" && Number.isInteger(maxCalls) && maxCalls > 0
      ? maxCalls
      : TOOL_CALLS_RESERVED;
  const raw = rewrite ? Buffer.from(JSON.stringify(json)) : body;
  call.body = facts.injectUsage ? bodyWithIncludeUsage(raw, json) : raw;
}

/** A remote MCP server is reached only while its host is in the agent's allowed_hosts (as on the forward door). */
function checkMcpHost(agent: ResolvedAgent, origin: string): void {
  const url = new URL(origin);
  if (findUrlRule(agent.hostRules, url)) return;
  const patterns = agent.hostRules.map((r) => r.pattern).join(", ") || "none";
  throw ProxyErrors.hostForbidden(agent.id, url.host, `not in allowed_hosts (${patterns})`);
}

/** API door: the API must be configured and in the agent's allowed_apis (an MCP server's host allowlisted). */
export const apiRouteStep =
  (ctx: ProxyContext): Step =>
  (next) =>
  (call: Call, handler: CallHandler) => {
    const run = async () => {
      const api = ctx.config.apis.get(call.target);
      const agent = call.agent;
      if (!api || !agent?.allowedApis.has(api.name))
        throw ProxyErrors.apiForbidden(agent?.id ?? "?", call.target);
      if (api.mcp) checkMcpHost(agent, api.origin);
      const bad = checkRestPath(call.rest);
      if (bad) throw ProxyErrors.badPath(bad);
      call.api = api;
      call.body = (await bodyOf(ctx, call)) ?? undefined;
    };
    run()
      .then(() => next(call, handler))
      .catch((error: Error) => handler.onError(error));
  };
