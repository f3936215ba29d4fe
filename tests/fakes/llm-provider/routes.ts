/**
 * Path → route. Any leading path segments before `/v1` or `/v1beta` are accepted (e.g. `/groq/v1/...`),
 * so one fake can stand in for several OpenAI-compatible providers; records keep the full path.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { ProviderName, RouteName } from "./types.js";

export interface RouteMatch {
  route: RouteName;
  provider: ProviderName | null;
  /** Gemini: model from the path (URL-decoded). */
  model?: string;
  /** Gemini: `:streamGenerateContent`. */
  stream?: boolean;
}

const PREFIX = "(?:/[^/_][^/]*)*?";
const OPENAI_CHAT = new RegExp(`^${PREFIX}/v1/chat/completions$`);
const OPENAI_EMBEDDINGS = new RegExp(`^${PREFIX}/v1/embeddings$`);
const V1_MODELS = new RegExp(`^${PREFIX}/v1/models$`);
const ANTHROPIC_MESSAGES = new RegExp(`^${PREFIX}/v1/messages$`);
const GEMINI_MODELS = new RegExp(`^${PREFIX}/v1beta/models$`);
const GEMINI_GENERATE = new RegExp(
  `^${PREFIX}/v1(?:beta)?/models/([^/:]+):(generateContent|streamGenerateContent)$`,
);

const UNKNOWN: RouteMatch = { route: "unknown", provider: null };

export function matchRoute(method: string, path: string, headers: IncomingHttpHeaders): RouteMatch {
  if (method === "GET") {
    if (V1_MODELS.test(path)) {
      return headers["anthropic-version"] === undefined
        ? { route: "openai.models", provider: "openai" }
        : { route: "anthropic.models", provider: "anthropic" };
    }
    if (GEMINI_MODELS.test(path)) return { route: "gemini.models", provider: "gemini" };
    return UNKNOWN;
  }
  if (method !== "POST") return UNKNOWN;
  if (OPENAI_CHAT.test(path)) return { route: "openai.chat", provider: "openai" };
  if (OPENAI_EMBEDDINGS.test(path)) return { route: "openai.embeddings", provider: "openai" };
  if (ANTHROPIC_MESSAGES.test(path)) return { route: "anthropic.messages", provider: "anthropic" };
  const gemini = GEMINI_GENERATE.exec(path);
  if (gemini) {
    let model: string;
    try {
      model = decodeURIComponent(gemini[1] ?? "");
    } catch {
      return UNKNOWN;
    }
    const stream = gemini[2] === "streamGenerateContent";
    return { route: stream ? "gemini.stream" : "gemini.generate", provider: "gemini", model, stream };
  }
  return UNKNOWN;
}
