/**
 * Built-in price table, USD per million tokens. Versioned: bump PRICING_VERSION with every edit.
 * Source: the providers' public list prices (openai.com/api/pricing, anthropic.com/pricing,
 * ai.google.dev/gemini-api/docs/pricing) for standard-tier, ≤200k-token prompts, as published in
 * August 2025. Prices change; `pricing:` in mesh.yaml overrides any entry by `provider/model`.
 * Keys are `provider/model-prefix`: a dated model id (`gpt-4o-mini-2024-07-18`) uses the longest matching prefix.
 */
export const PRICING_VERSION = "2025-08-01";
export const PRICING_SOURCE =
  "provider list prices (OpenAI, Anthropic, Google AI) as of 2025-08; standard tier";

export interface ModelPrice {
  input_per_mtok: number;
  output_per_mtok: number;
  /** Cache reads (OpenAI cached input, Anthropic cache_read, Gemini cached content). Default: input price. */
  cached_input_per_mtok?: number;
  /** Anthropic cache writes (5-minute). Default: 1.25 × input. */
  cache_write_per_mtok?: number;
}

export const BUILTIN_PRICES: Record<string, ModelPrice> = {
  "openai/gpt-5": { input_per_mtok: 1.25, output_per_mtok: 10, cached_input_per_mtok: 0.125 },
  "openai/gpt-5-mini": { input_per_mtok: 0.25, output_per_mtok: 2, cached_input_per_mtok: 0.025 },
  "openai/gpt-5-nano": { input_per_mtok: 0.05, output_per_mtok: 0.4, cached_input_per_mtok: 0.005 },
  "openai/gpt-4.1": { input_per_mtok: 2, output_per_mtok: 8, cached_input_per_mtok: 0.5 },
  "openai/gpt-4.1-mini": { input_per_mtok: 0.4, output_per_mtok: 1.6, cached_input_per_mtok: 0.1 },
  "openai/gpt-4.1-nano": { input_per_mtok: 0.1, output_per_mtok: 0.4, cached_input_per_mtok: 0.025 },
  "openai/gpt-4o": { input_per_mtok: 2.5, output_per_mtok: 10, cached_input_per_mtok: 1.25 },
  "openai/gpt-4o-mini": { input_per_mtok: 0.15, output_per_mtok: 0.6, cached_input_per_mtok: 0.075 },
  "openai/o3": { input_per_mtok: 2, output_per_mtok: 8, cached_input_per_mtok: 0.5 },
  "openai/o4-mini": { input_per_mtok: 1.1, output_per_mtok: 4.4, cached_input_per_mtok: 0.275 },
  "openai/text-embedding-3-small": { input_per_mtok: 0.02, output_per_mtok: 0 },
  "openai/text-embedding-3-large": { input_per_mtok: 0.13, output_per_mtok: 0 },
  "anthropic/claude-opus-4-1": {
    input_per_mtok: 15,
    output_per_mtok: 75,
    cached_input_per_mtok: 1.5,
    cache_write_per_mtok: 18.75,
  },
  "anthropic/claude-opus-4": {
    input_per_mtok: 15,
    output_per_mtok: 75,
    cached_input_per_mtok: 1.5,
    cache_write_per_mtok: 18.75,
  },
  "anthropic/claude-sonnet-4": {
    input_per_mtok: 3,
    output_per_mtok: 15,
    cached_input_per_mtok: 0.3,
    cache_write_per_mtok: 3.75,
  },
  "anthropic/claude-3-7-sonnet": {
    input_per_mtok: 3,
    output_per_mtok: 15,
    cached_input_per_mtok: 0.3,
    cache_write_per_mtok: 3.75,
  },
  "anthropic/claude-haiku-4-5": {
    input_per_mtok: 1,
    output_per_mtok: 5,
    cached_input_per_mtok: 0.1,
    cache_write_per_mtok: 1.25,
  },
  "anthropic/claude-3-5-haiku": {
    input_per_mtok: 0.8,
    output_per_mtok: 4,
    cached_input_per_mtok: 0.08,
    cache_write_per_mtok: 1,
  },
  "gemini/gemini-2.5-pro": { input_per_mtok: 1.25, output_per_mtok: 10, cached_input_per_mtok: 0.31 },
  "gemini/gemini-2.5-flash": { input_per_mtok: 0.3, output_per_mtok: 2.5, cached_input_per_mtok: 0.075 },
  "gemini/gemini-2.5-flash-lite": { input_per_mtok: 0.1, output_per_mtok: 0.4, cached_input_per_mtok: 0.025 },
  "gemini/gemini-2.0-flash": { input_per_mtok: 0.1, output_per_mtok: 0.4, cached_input_per_mtok: 0.025 },
  "gemini/text-embedding-004": { input_per_mtok: 0, output_per_mtok: 0 },
};

/**
 * Charged for a model with no price: the most expensive row above (Claude Opus), so an unpriced model can
 * never spend more than the budget believes. A warning is logged once per model.
 */
export const DEFAULT_UNKNOWN_PRICE: ModelPrice = {
  input_per_mtok: 15,
  output_per_mtok: 75,
  cached_input_per_mtok: 15,
  cache_write_per_mtok: 18.75,
};

/**
 * USD per call of provider-side tools (same sources and date as above, highest listed tier); `pricing.<model>
 * .tool_call_usd` in mesh.yaml overrides per model. A tool missing here and there cannot be granted.
 */
export const BUILTIN_TOOL_PRICES: Record<string, number> = {
  web_search_preview: 0.05,
  web_search: 0.05,
  web_search_options: 0.05,
  file_search: 0.0025,
  code_interpreter: 0.03,
  image_generation: 0.25,
  web_search_20250305: 0.01,
  googleSearch: 0.035,
};

export const builtinToolPrice = (tool: string): number | undefined =>
  Object.hasOwn(BUILTIN_TOOL_PRICES, tool) ? BUILTIN_TOOL_PRICES[tool] : undefined;

/** How many calls of each declared tool one request is reserved (and charged) for, unless it sets max_tool_calls. */
export const TOOL_CALLS_RESERVED = 5;
