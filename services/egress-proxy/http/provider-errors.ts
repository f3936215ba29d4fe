import { z } from "zod";
import type { ProxyProvider } from "../../common/contracts/proxy-config.js";

/**
 * Recognises a provider's "the prompt is longer than the context window" answer in its own wire format,
 * so the proxy can re-label it with one code (ProxyErrors.contextOverflow) and the agent never parses a
 * provider's message. Pure. The shapes are the providers' documented error bodies:
 * - OpenAI (and compatible servers such as vLLM): 400 `{error:{code:"context_length_exceeded", message}}`,
 *   or no code and "maximum context length" in the message;
 * - Anthropic: 400 `{type:"error", error:{type:"invalid_request_error", message:"prompt is too long: …"}}`;
 * - Gemini: 400 `{error:{status:"INVALID_ARGUMENT", message:"The input token count (…) exceeds the maximum …"}}`.
 */
const openaiError = z.object({
  error: z.looseObject({ message: z.string(), code: z.string().nullish() }),
});
const anthropicError = z.object({
  type: z.literal("error"),
  error: z.looseObject({ type: z.literal("invalid_request_error"), message: z.string() }),
});
const geminiError = z.object({
  error: z.looseObject({ status: z.literal("INVALID_ARGUMENT"), message: z.string() }),
});

const OPENAI_OVERFLOW = /maximum context length/i;
const ANTHROPIC_OVERFLOW = /^prompt is too long/i;
const GEMINI_OVERFLOW = /input token count.*exceeds the maximum/i;

/** The provider's own message when `body` (parsed JSON) is its context-overflow error, else undefined. */
export function contextOverflowMessage(api: ProxyProvider["api"], body: unknown): string | undefined {
  if (api === "anthropic") {
    const parsed = anthropicError.safeParse(body);
    return parsed.success && ANTHROPIC_OVERFLOW.test(parsed.data.error.message)
      ? parsed.data.error.message
      : undefined;
  }
  if (api === "gemini") {
    const parsed = geminiError.safeParse(body);
    return parsed.success && GEMINI_OVERFLOW.test(parsed.data.error.message)
      ? parsed.data.error.message
      : undefined;
  }
  const parsed = openaiError.safeParse(body);
  if (!parsed.success) return undefined;
  const { code, message } = parsed.data.error;
  return code === "context_length_exceeded" || (!code && OPENAI_OVERFLOW.test(message)) ? message : undefined;
}
