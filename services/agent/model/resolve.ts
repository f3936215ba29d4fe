import type { LanguageModel } from "ai";
import { isOlError } from "../../common/errors.js";
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

type ModelFactory = (o: { name: string; baseURL: string; apiKey: string }, model: string) => LanguageModel;

/**
 * Each provider package is imported on first use: an agent loads only the SDKs its manifest's models
 * speak (each package costs ~5 MB of heap; an agent typically uses one or two of the four).
 */
const LOADERS: Readonly<Record<WireApi, () => Promise<ModelFactory>>> = {
  // Chat completions: the proxy and the fake speak it; `openai(model)` would use the Responses API.
  openai: async () => {
    const { createOpenAI } = await import("@ai-sdk/openai");
    return ({ baseURL, apiKey }, model) => createOpenAI({ baseURL, apiKey }).chat(model);
  },
  anthropic: async () => {
    const { createAnthropic } = await import("@ai-sdk/anthropic");
    return ({ baseURL, apiKey }, model) => createAnthropic({ baseURL, apiKey })(model);
  },
  gemini: async () => {
    const { createGoogleGenerativeAI } = await import("@ai-sdk/google");
    return ({ baseURL, apiKey }, model) => createGoogleGenerativeAI({ baseURL, apiKey })(model);
  },
  "openai-compatible": async () => {
    const { createOpenAICompatible } = await import("@ai-sdk/openai-compatible");
    return ({ name, baseURL, apiKey }, model) =>
      createOpenAICompatible({ name, baseURL, apiKey, includeUsage: true })(model);
  },
};
const factories = new Map<WireApi, Promise<ModelFactory>>();

const factoryFor = (api: WireApi): Promise<ModelFactory> => {
  let f = factories.get(api);
  if (!f) {
    f = LOADERS[api]();
    factories.set(api, f);
    f.catch(() => factories.delete(api));
  }
  return f;
};

/**
 * Resolves a `provider/model` id to an AI SDK model that talks to the proxy with the agent token.
 * Rejects with AgentErrors.badModelId for a malformed id or a provider the manifest does not name.
 */
export async function resolveModel(id: string, access: ModelAccess): Promise<LanguageModel> {
  const { provider, model } = parseModelId(id);
  const api = access.providers[provider];
  if (api === undefined) {
    throw AgentErrors.badModelId(id, `provider "${provider}" is not in the manifest's providers`);
  }
  const baseURL = access.baseUrlFor?.(provider, api) ?? proxyBaseUrl(access.proxyUrl, provider, api);
  return (await factoryFor(api))({ name: provider, baseURL, apiKey: access.agentToken }, model);
}

/**
 * `resolveModel` with one model object per id (a model object only holds its settings, so steps and
 * sub-agents share it). The first resolve of an id imports its provider package.
 */
export function modelResolver(access: ModelAccess): (id: string) => Promise<LanguageModel> {
  const models = new Map<string, Promise<LanguageModel>>();
  return (id) => {
    let m = models.get(id);
    if (!m) {
      m = resolveModel(id, access);
      models.set(id, m);
      // A malformed id stays an error; a failed import (e.g. a transient EMFILE) is tried again.
      m.catch((err: unknown) => {
        if (!isOlError(err)) models.delete(id);
      });
    }
    return m;
  };
}
