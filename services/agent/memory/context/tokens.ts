import type { ModelMessage } from "ai";

/**
 * Token estimates per model family, without a tokenizer dependency: characters per token measured on
 * English prose and JSON (OpenAI o200k/cl100k ≈ 4, Claude ≈ 3.5, Gemini ≈ 4). Unknown families use 3.5 so
 * the estimate errs high. A provider-reported `inputTokens`, when the caller has one, always wins.
 */
export type ModelFamily = "openai" | "anthropic" | "gemini" | "other";

export const CHARS_PER_TOKEN: Readonly<Record<ModelFamily, number>> = {
  openai: 4,
  anthropic: 3.5,
  gemini: 4,
  other: 3.5,
};
/** Role markers and separators the provider adds around each message. */
export const MESSAGE_OVERHEAD_TOKENS = 4;

const WINDOWS: readonly [RegExp, number][] = [
  [/gpt-4\.1|gpt-4-1/, 1_047_576],
  [/gpt-5/, 400_000],
  [/gpt-4o|gpt-4-turbo|o1|o3|o4/, 128_000],
  [/gpt-4(?!\.)/, 8_192],
  [/gpt-3\.5/, 16_385],
  [/claude/, 200_000],
  [/gemini/, 1_048_576],
  [/llama|mistral|mixtral|qwen|deepseek/, 128_000],
];
export const DEFAULT_WINDOW = 128_000;

export function modelFamily(modelId: string): ModelFamily {
  const id = modelId.toLowerCase();
  if (id.startsWith("anthropic/") || id.includes("claude")) return "anthropic";
  if (id.startsWith("gemini/") || id.startsWith("google/") || id.includes("gemini")) return "gemini";
  if (id.startsWith("openai/") || /(^|\/)(gpt-|o\d)/.test(id)) return "openai";
  return "other";
}

/** Context window of a model id ("openai/gpt-4o-mini"); unknown models get DEFAULT_WINDOW. */
export function contextWindow(modelId: string): number {
  const id = modelId.toLowerCase();
  for (const [re, n] of WINDOWS) if (re.test(id)) return n;
  return DEFAULT_WINDOW;
}

export function estimateTokens(text: string, family: ModelFamily): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN[family]);
}

/** Text and tool JSON of one message, as the estimate sees it. */
export function messageText(m: ModelMessage): string {
  return typeof m.content === "string" ? m.content : JSON.stringify(m.content);
}

/** Characters of each message as the estimate sees them; messages are immutable once in a transcript. */
const CHARS = new WeakMap<ModelMessage, number>();

function messageChars(m: ModelMessage): number {
  let n = CHARS.get(m);
  if (n === undefined) {
    n = messageText(m).length;
    CHARS.set(m, n);
  }
  return n;
}

export function estimateMessages(messages: readonly ModelMessage[], family: ModelFamily): number {
  let total = 0;
  for (const m of messages)
    total += MESSAGE_OVERHEAD_TOKENS + Math.ceil(messageChars(m) / CHARS_PER_TOKEN[family]);
  return total;
}
