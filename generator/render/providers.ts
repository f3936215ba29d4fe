import { BUILTIN_PROVIDERS, builtinProvider } from "../../services/common/builtin-providers.js";
import { compareAscii, sortKeys } from "../../services/common/canonical-json.js";
import type { ProxyProvider } from "../../services/common/contracts/proxy-config.js";
import type { FleetConfig } from "../config/schemas/fleet.js";
import { RenderErrors } from "./errors.js";

/** A provider by this name serves local models (Ollama): its calls cost 0 unless `local: false`. */
export const LOCAL_BY_NAME = "ollama";

export const providerOf = (model: string): string => model.slice(0, model.indexOf("/"));

export const agentModels = (agent: { model: string; fallback_models: string[] }): string[] => [
  agent.model,
  ...agent.fallback_models.filter((m) => m !== agent.model),
];

/** `llm.embedding_model` as `provider/model`; a bare name is an OpenAI model (the seed's default). */
export const embeddingModelRef = (embeddingModel: string): string =>
  embeddingModel.includes("/") ? embeddingModel : `openai/${embeddingModel}`;

/**
 * What the proxy lets an agent call: its chat models, plus the fleet's embedding model when that
 * model's provider is one the fleet already has a key for. Memory then recalls by vector; otherwise
 * it recalls by full-text only (and says so) rather than making render demand an extra provider key.
 */
export function proxyModels(
  agent: { model: string; fallback_models: string[] },
  embeddingModel: string,
  providers: Readonly<Record<string, unknown>>,
): string[] {
  const models = agentModels(agent);
  const embedding = embeddingModelRef(embeddingModel);
  if (providers[providerOf(embedding)] !== undefined && !models.includes(embedding)) models.push(embedding);
  return models;
}

/** The providers the fleet's agents use, resolved against the built-ins, sorted by name. */
export function resolveProviders(fleet: FleetConfig): Record<string, ProxyProvider> {
  const used = new Map<string, string[]>();
  for (const agent of fleet.agents) {
    for (const model of agentModels(agent)) {
      const name = providerOf(model);
      used.set(name, [...(used.get(name) ?? []), agent.id]);
    }
  }
  const out: Record<string, ProxyProvider> = {};
  for (const name of [...used.keys()].sort(compareAscii)) {
    const builtin = builtinProvider(name);
    const configured = fleet.mesh.providers[name];
    if (!builtin && !configured) {
      const known = [
        ...new Set([...Object.keys(BUILTIN_PROVIDERS), ...Object.keys(fleet.mesh.providers)]),
      ].sort(compareAscii);
      throw RenderErrors.unknownProvider(
        `provider "${name}" (used by agent ${used.get(name)?.join(", ")}) is neither built in nor configured under providers in config/mesh.yaml; known: ${known.join(", ")}`,
      );
    }
    const api = configured?.api ?? builtin!.api;
    const baseUrl = configured?.base_url ?? (builtin?.api === api ? builtin.base_url : undefined);
    if (!baseUrl) {
      throw RenderErrors.unknownProvider(
        `provider "${name}" (api ${api}) needs base_url in config/mesh.yaml providers.${name}`,
      );
    }
    const credential = configured
      ? (configured.credential ?? (builtin?.api === api ? builtin.credential : undefined))
      : builtin!.credential;
    const headers = configured?.headers;
    out[name] = {
      api,
      base_url: baseUrl,
      ...(credential === undefined ? {} : { credential }),
      ...(headers === undefined ? {} : { headers: sortKeys(headers) as Record<string, string> }),
      ...((configured?.local ?? name === LOCAL_BY_NAME) ? { local: true as const } : {}),
    };
  }
  return out;
}

/** APIs the agents are granted (allowed_apis minus the pseudo-API "llm"), checked against mesh.yaml `apis`. */
export function grantedApis(fleet: FleetConfig): string[] {
  const names = new Set<string>();
  for (const agent of fleet.agents) {
    for (const api of agent.permissions.allowed_apis) {
      if (api === "llm") continue;
      if (!fleet.mesh.apis[api]) {
        throw RenderErrors.unknownApi(
          `agent ${agent.id} is allowed api "${api}" but config/mesh.yaml defines no apis.${api} (known: ${Object.keys(fleet.mesh.apis).sort(compareAscii).join(", ") || "none"})`,
        );
      }
      names.add(api);
    }
  }
  return [...names].sort(compareAscii);
}
