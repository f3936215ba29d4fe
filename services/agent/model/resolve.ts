import { createAnthropic } from "@ai-sdk/anthropic";
import { createGoogleGenerativeAI } from "@ai-sdk/google";
import { createOpenAI } from "@ai-sdk/openai";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import type { LanguageModel } from "ai";
import { AgentErrors } from "../errors.js";

/** Wire APIs the manifest may name for a provider (services/common/contracts/agent-manifest.ts). */
export type WireApi = "openai" | "anthropic" | "gemini" | "openai-compatible";

export interface ModelRef {
  provider: string;
  model: string;
}

const PROVIDER_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/**
 * `provider/model` → parts, split at the first slash (OpenRouter-style models keep their own slashes).
 * Bare ids are refused: the AI SDK would route a bare string to Vercel's gateway (research/agent.md §1.2).
 */
export function parseModelId(id: string): ModelRef {
  const slash = id.indexOf("/");
  if (slash <= 0 || slash === id.length - 1) throw AgentErrors.badModelId(id, 'expected "provider/model"');
  const provider = id.slice(0, slash);
  if (!PROVIDER_NAME.test(provider)) throw AgentErrors.badModelId(id, `invalid provider name "${provider}"`);
  return { provider, model: id.slice(slash + 1) };
}

/**
 * Base URL of a provider behind the egress proxy. The proxy forwards `/llm/<provider>/<rest>` to the
 * provider's origin + `<rest>`, so the version segment the SDK expects is part of the base URL:
 * OpenAI, OpenAI-compatible and Anthropic SDKs append `/chat/completions` or `/messages` to `…/v1`;
 * the Google SDK appends `/models/<m>:generateContent` to `…/v1beta`.
 */
export function proxyBaseUrl(proxyUrl: string, provider: string, api: WireApi): string {
  const root = proxyUrl.replace(/\/+$/, "");
  return `${root}/llm/${provider}/${api === "gemini" ? "v1beta" : "v1"}`;
}

export interface ModelAccess {
  proxyUrl: string;
  /** The agent token: the only credential the agent holds; the proxy swaps in the real key. */
  agentToken: string;
  providers: Readonly<Record<string, WireApi>>;
  /** Test seam: point every provider at another base URL (e.g. a fake provider directly). */
  baseUrlFor?: (provider: string, api: WireApi) => string;
}

/** Resolves a `provider/model` id to an AI SDK model that talks to the proxy with the agent token. */
export function resolveModel(id: string, access: ModelAccess): LanguageModel {
  const { provider, model } = parseModelId(id);
  const api = access.providers[provider];
  if (api === undefined) {
    throw AgentErrors.badModelId(id, `provider "${provider}" is not in the manifest's providers`);
  }
  const baseURL = access.baseUrlFor?.(provider, api) ?? proxyBaseUrl(access.proxyUrl, provider, api);
  const apiKey = access.agentToken;
  switch (api) {
    case "openai":
      // Chat completions: the proxy and the fake speak it; `openai(model)` would use the Responses API.
      return createOpenAI({ baseURL, apiKey }).chat(model);
    case "anthropic":
      return createAnthropic({ baseURL, apiKey })(model);
    case "gemini":
      return createGoogleGenerativeAI({ baseURL, apiKey })(model);
    case "openai-compatible":
      return createOpenAICompatible({ name: provider, baseURL, apiKey, includeUsage: true })(model);
  }
}
