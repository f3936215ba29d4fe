import type { ResolvedAgent } from "../config.js";
import { ProxyErrors } from "../errors.js";
import { readBody } from "../http/body.js";
import { JsonShapeError, type Members, pickMembers, topLevelMembers } from "../http/json-members.js";
import { checkRestPath } from "../http/path.js";
import { findUrlRule } from "../net/hosts.js";
import { TOOL_CALLS_RESERVED } from "../pricing/table.js";
import { bodyWithIncludeUsage, requestFacts } from "../usage/request.js";
import type { ProxyContext } from "./context.js";
import { classifyEndpoint } from "./endpoints.js";
import { dropRoutingFields, ROUTING_BODY_FIELDS, serverToolsOf } from "./request-policy.js";
import type { Call, CallHandler, Step } from "./types.js";

async function bodyOf(ctx: ProxyContext, call: Call): Promise<Buffer | null> {
  const method = call.req.method ?? "GET";
  if (method === "GET" || method === "HEAD") {
    call.req.resume();
    return null;
  }
  return readBody(call.req, ctx.limits.maxBodyBytes);
}

/**
 * The members the LLM door reads (request facts, server tools, routing fields, the tool-call cap). Other
 * members, the prompt above all, are never parsed: their values stay undefined in the object returned.
 */
const READ_MEMBERS = new Set([
  "model",
  "stream",
  "stream_options",
  "max_tokens",
  "max_completion_tokens",
  "max_output_tokens",
  "n",
  "generationConfig",
  "tools",
  "web_search_options",
  "max_tool_calls",
]);
/** Members whose presence means the body is rewritten (routing fields dropped, stream_options merged). */
const REWRITTEN_MEMBERS = [...ROUTING_BODY_FIELDS, "stream_options"];

/**
 * The body as an object: only the members the door reads are parsed (http/json-members.ts), unless the
 * body will be re-serialised (a routing field to drop, stream_options to merge into, a provider-prefixed
 * model to strip), which needs every member: then the whole body is parsed.
 */
function bodyJson(body: Buffer, provider: string): Record<string, unknown> {
  if (body.length === 0) return {};
  let members: Members;
  try {
    members = topLevelMembers(body);
  } catch (error) {
    if (error instanceof JsonShapeError)
      throw ProxyErrors.badBody(`not a valid JSON object (${error.message})`);
    throw ProxyErrors.badBody("not valid JSON");
  }
  let json: Record<string, unknown>;
  try {
    json = pickMembers(body, members, READ_MEMBERS);
    const model = json.model;
    const full =
      REWRITTEN_MEMBERS.some((m) => members.has(m)) ||
      (typeof model === "string" && model.startsWith(`${provider}/`));
    if (full) json = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
  } catch {
    throw ProxyErrors.badBody("not valid JSON");
  }
  return json;
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
  const json = bodyJson(body, provider.name);
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
