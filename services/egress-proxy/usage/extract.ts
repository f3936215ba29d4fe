import type { Usage, WireApi } from "./types.js";

/**
 * Pure usage readers, one per wire format (research/gateway.md §1). Each takes a parsed JSON value and
 * returns the usage it carries, or undefined. Unknown shapes are ignored rather than guessed.
 */
type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const n = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? Math.floor(v) : 0);
const has = (o: Json, key: string): boolean => typeof o[key] === "number";

/** OpenAI chat/completions/embeddings `usage` and Responses `usage` (input_tokens/output_tokens). */
export function openAiUsage(usage: unknown): Usage | undefined {
  if (!isObject(usage)) return undefined;
  if (has(usage, "prompt_tokens") || has(usage, "completion_tokens")) {
    const details = isObject(usage.prompt_tokens_details) ? usage.prompt_tokens_details : {};
    return {
      inputTokens: n(usage.prompt_tokens),
      cachedInputTokens: n(details.cached_tokens),
      cacheWriteTokens: 0,
      outputTokens: n(usage.completion_tokens),
    };
  }
  if (has(usage, "input_tokens") || has(usage, "output_tokens")) {
    const details = isObject(usage.input_tokens_details) ? usage.input_tokens_details : {};
    return {
      inputTokens: n(usage.input_tokens),
      cachedInputTokens: n(details.cached_tokens),
      cacheWriteTokens: 0,
      outputTokens: n(usage.output_tokens),
    };
  }
  if (has(usage, "total_tokens")) return splitTotal(n(usage.total_tokens));
  return undefined;
}

/**
 * A response that reports only a total (some OpenAI-compatible servers) is priced as 70 % input and
 * 30 % output, the seed's split: an estimate, but never a free call.
 */
export const TOTAL_INPUT_SHARE = 0.7;
export function splitTotal(total: number): Usage {
  const inputTokens = Math.round(total * TOTAL_INPUT_SHARE);
  return { inputTokens, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: total - inputTokens };
}

/** Anthropic usage: input_tokens EXCLUDES cache reads and writes, so they are added. */
export function anthropicUsage(usage: unknown): Usage | undefined {
  if (!isObject(usage) || !(has(usage, "input_tokens") || has(usage, "output_tokens"))) return undefined;
  const read = n(usage.cache_read_input_tokens);
  const write = n(usage.cache_creation_input_tokens);
  return {
    inputTokens: n(usage.input_tokens) + read + write,
    cachedInputTokens: read,
    cacheWriteTokens: write,
    outputTokens: n(usage.output_tokens),
  };
}

/** Gemini usageMetadata: prompt includes cached content; thoughts are billed as output on top of candidates. */
export function geminiUsage(meta: unknown): Usage | undefined {
  if (!isObject(meta)) return undefined;
  if (!(has(meta, "promptTokenCount") || has(meta, "candidatesTokenCount")))
    return has(meta, "totalTokenCount") ? splitTotal(n(meta.totalTokenCount)) : undefined;
  return {
    inputTokens: n(meta.promptTokenCount) + n(meta.toolUsePromptTokenCount),
    cachedInputTokens: n(meta.cachedContentTokenCount),
    cacheWriteTokens: 0,
    outputTokens: n(meta.candidatesTokenCount) + n(meta.thoughtsTokenCount),
  };
}

/** Usage of a complete (non-streamed) JSON response body. */
export function usageFromJsonBody(api: WireApi, body: unknown): Usage | undefined {
  if (api === "gemini") {
    if (Array.isArray(body)) {
      // :streamGenerateContent without alt=sse returns a JSON array of cumulative snapshots: the last wins.
      for (let i = body.length - 1; i >= 0; i--) {
        const item = body[i];
        const u = isObject(item) ? geminiUsage(item.usageMetadata) : undefined;
        if (u) return u;
      }
      return undefined;
    }
    return isObject(body) ? geminiUsage(body.usageMetadata) : undefined;
  }
  if (!isObject(body)) return undefined;
  if (api === "anthropic") return anthropicUsage(body.usage);
  if (isObject(body.response) && isObject(body.response.usage)) return openAiUsage(body.response.usage);
  return openAiUsage(body.usage);
}
