import type { ProxyProvider } from "./contracts/proxy-config.js";

/**
 * Built-in LLM providers with their official base URLs and default credential names. The compiler
 * resolves agents' models against them (mesh.yaml `providers` overrides or extends them) and the egress
 * proxy falls back to them for a config that names no provider.
 */
export const BUILTIN_PROVIDERS = {
  anthropic: { api: "anthropic", base_url: "https://api.anthropic.com", credential: "ANTHROPIC_API_KEY" },
  gemini: {
    api: "gemini",
    base_url: "https://generativelanguage.googleapis.com",
    credential: "GEMINI_API_KEY",
  },
  openai: { api: "openai", base_url: "https://api.openai.com", credential: "OPENAI_API_KEY" },
} as const satisfies Readonly<Record<string, ProxyProvider>>;

export type BuiltinProvider = keyof typeof BUILTIN_PROVIDERS;

/** The built-in provider of that name, if any. */
export const builtinProvider = (name: string): ProxyProvider | undefined =>
  Object.hasOwn(BUILTIN_PROVIDERS, name) ? BUILTIN_PROVIDERS[name as BuiltinProvider] : undefined;
