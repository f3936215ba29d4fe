import type { MeshFile } from "./schemas/mesh.js";
import type { PermissionsFile } from "./schemas/permissions.js";

type ApiConfig = MeshFile["apis"][string];

/**
 * Keyed APIs that work by name in `allowed_apis` with only the key in `.env`, as the seed's
 * permissions example reads (`"allowed_apis": ["llm", "brave_search"]`). Base URLs and key headers
 * are the providers' public documentation; `apis:` in mesh.yaml overrides a preset of the same name.
 */
export const API_PRESETS: Readonly<Record<string, ApiConfig>> = {
  brave_search: {
    base_url: "https://api.search.brave.com/res/v1",
    credential: "BRAVE_SEARCH_API_KEY",
    header: "X-Subscription-Token",
  },
  hunter: { base_url: "https://api.hunter.io/v2", credential: "HUNTER_API_KEY", query: "api_key" },
};

/** The pseudo-API every agent's LLM access goes by; it is not an entry of `apis:`. */
export const LLM_API = "llm";

/**
 * `apis:` plus the presets that some agent is granted and mesh.yaml does not define. Only granted
 * presets are added, so a fleet that uses none renders exactly as before.
 */
export function withApiPresets(apis: MeshFile["apis"], permissions: PermissionsFile): MeshFile["apis"] {
  const out = { ...apis };
  for (const grants of Object.values(permissions)) {
    for (const api of grants.allowed_apis) {
      const preset = API_PRESETS[api];
      if (out[api] === undefined && preset !== undefined) out[api] = preset;
    }
  }
  return out;
}
