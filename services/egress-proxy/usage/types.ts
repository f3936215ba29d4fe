/** Wire formats the proxy meters. "openai-compatible" speaks the OpenAI format. */
export type WireApi = "openai" | "anthropic" | "gemini" | "openai-compatible";

/**
 * Usage normalized across providers (research/gateway.md §5.3). `cachedInputTokens` and `cacheWriteTokens`
 * are SUBSETS of `inputTokens`; `outputTokens` includes reasoning/thinking tokens.
 */
export interface Usage {
  inputTokens: number;
  cachedInputTokens: number;
  cacheWriteTokens: number;
  outputTokens: number;
}

export const ZERO_USAGE: Usage = {
  inputTokens: 0,
  cachedInputTokens: 0,
  cacheWriteTokens: 0,
  outputTokens: 0,
};

/** How the ledger learned a call's usage. */
export type UsageSource = "reported" | "partial" | "estimated" | "none" | "crash";
