import type { WireApi } from "../usage/types.js";

/**
 * What an LLM request may carry (findings 2 and 4), as pure functions of the parsed body and headers.
 */

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Body fields that select a key, an endpoint or a provider (LiteLLM and SDK conventions). A provider
 * that honoured one would bill another account or call another host; they are dropped, never forwarded.
 */
export const ROUTING_BODY_FIELDS = ["api_key", "api_base", "base_url", "custom_llm_provider"] as const;

/** Removes the routing fields in place; returns the names removed. */
export function dropRoutingFields(json: Json): string[] {
  const dropped = ROUTING_BODY_FIELDS.filter((field) => Object.hasOwn(json, field));
  for (const field of dropped) delete json[field];
  return dropped;
}

/** Tool types that the client runs itself: declaring one costs nothing on the provider's side. */
const CLIENT_TOOL_TYPES = new Set(["function", "custom"]);

/**
 * The provider-side tools a request asks for: work the provider does and bills per call, not per token
 * (web search, file search, code execution, image generation, URL fetch, …). Named by their wire type:
 * OpenAI/Anthropic `tools[].type`, Gemini the tool's key (`googleSearch`, `codeExecution`, `urlContext`).
 * OpenAI chat `web_search_options` counts as `web_search_options`.
 */
export function serverToolsOf(api: WireApi, json: Json): string[] {
  const found = new Set<string>();
  const tools = Array.isArray(json.tools) ? json.tools : [];
  for (const tool of tools) {
    if (!isObject(tool)) continue;
    if (api === "gemini") {
      for (const key of Object.keys(tool)) if (key !== "functionDeclarations") found.add(key);
      continue;
    }
    const type = tool.type;
    // Anthropic custom tools carry no type; OpenAI function tools say "function".
    if (type === undefined && api === "anthropic") continue;
    if (typeof type !== "string") {
      found.add("(untyped tool)");
      continue;
    }
    if (!CLIENT_TOOL_TYPES.has(type)) found.add(type);
  }
  if (api !== "gemini" && json.web_search_options !== undefined) found.add("web_search_options");
  return [...found].sort();
}

/**
 * Request headers forwarded upstream: content negotiation, SDK identification and retry bookkeeping.
 * Everything else the agent sends is dropped; account- and feature-selecting headers (organisation,
 * project, beta flags) are set only from mesh.yaml (`providers.<name>.headers`).
 */
const FORWARDED = new Set(["content-type", "accept", "user-agent", "idempotency-key"]);
const FORWARDED_BY_API: Record<WireApi, ReadonlySet<string>> = {
  openai: new Set(),
  "openai-compatible": new Set(),
  anthropic: new Set(["anthropic-version"]),
  gemini: new Set(["x-goog-api-client"]),
};

export function forwardsHeader(api: WireApi, name: string): boolean {
  return FORWARDED.has(name) || FORWARDED_BY_API[api].has(name) || name.startsWith("x-stainless-");
}
