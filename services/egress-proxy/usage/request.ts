import type { WireApi } from "./types.js";

/**
 * What the proxy must know about an LLM request before forwarding it: the model (body `model`, or the
 * Gemini URL path), whether it streams, and a worst-case token bound for the budget reservation:
 * input ≈ ceil(body chars / 4) and output = the request's own cap (× n / candidateCount) or the agent's max_tokens.
 */
export interface RequestFacts {
  model: string | undefined;
  stream: boolean;
  inputTokens: number;
  outputTokens: number;
  /** OpenAI chat stream without include_usage: the proxy adds it and hides the extra chunk. */
  injectUsage: boolean;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const posInt = (v: unknown): number | undefined =>
  typeof v === "number" && Number.isInteger(v) && v > 0 ? v : undefined;

export const GEMINI_MODEL_PATH = /(?:^|\/)models\/([A-Za-z0-9._-]+):([A-Za-z]+)$/;
const EMBEDDING_PATH =
  /(?:^|\/)embeddings$|:(?:embedContent|batchEmbedContents|countTokens)$|\/count_tokens$/;

export function requestFacts(
  api: WireApi,
  path: string,
  body: unknown,
  bodyChars: number,
  agentMaxTokens: number,
): RequestFacts {
  const json = isObject(body) ? body : {};
  const inputTokens = Math.ceil(bodyChars / 4);
  const noOutput = EMBEDDING_PATH.test(path);
  if (api === "gemini") {
    const match = GEMINI_MODEL_PATH.exec(path);
    const config = isObject(json.generationConfig) ? json.generationConfig : {};
    const cap = posInt(config.maxOutputTokens) ?? agentMaxTokens;
    const n = posInt(config.candidateCount) ?? 1;
    return {
      model: match?.[1],
      stream: match?.[2] === "streamGenerateContent",
      inputTokens,
      outputTokens: noOutput ? 0 : cap * n,
      injectUsage: false,
    };
  }
  const model = typeof json.model === "string" && json.model.length > 0 ? json.model : undefined;
  const stream = json.stream === true;
  if (api === "anthropic") {
    return {
      model,
      stream,
      inputTokens,
      outputTokens: noOutput ? 0 : (posInt(json.max_tokens) ?? agentMaxTokens),
      injectUsage: false,
    };
  }
  const cap =
    posInt(json.max_completion_tokens) ??
    posInt(json.max_tokens) ??
    posInt(json.max_output_tokens) ??
    agentMaxTokens;
  const n = posInt(json.n) ?? 1;
  const options = isObject(json.stream_options) ? json.stream_options : undefined;
  const isChat = /(?:^|\/)(?:chat\/)?completions$/.test(path);
  return {
    model,
    stream,
    inputTokens,
    outputTokens: noOutput ? 0 : cap * n,
    injectUsage: stream && isChat && options?.include_usage !== true,
  };
}

/**
 * The request body with `stream_options.include_usage: true`. When the client sent no `stream_options`
 * (the usual case), the member is spliced in after the opening brace and every other byte is kept as sent;
 * otherwise the parsed body is re-serialised with the option merged in.
 */
export function bodyWithIncludeUsage(raw: Buffer, json: Json): Buffer {
  if (!Object.hasOwn(json, "stream_options")) {
    let i = 0;
    while (i < raw.length && (raw[i] === 0x20 || raw[i] === 0x09 || raw[i] === 0x0a || raw[i] === 0x0d)) i++;
    if (raw[i] === 0x7b) {
      const member = Object.keys(json).length > 0 ? `${INCLUDE_USAGE},` : INCLUDE_USAGE;
      return Buffer.concat([raw.subarray(0, i + 1), Buffer.from(member), raw.subarray(i + 1)]);
    }
  }
  return Buffer.from(JSON.stringify(withIncludeUsage(json)));
}

const INCLUDE_USAGE = '"stream_options":{"include_usage":true}';

/** Returns the body with `stream_options.include_usage: true` added, keeping every other field. */
export function withIncludeUsage(body: Json): Json {
  const options = isObject(body.stream_options) ? body.stream_options : {};
  return { ...body, stream_options: { ...options, include_usage: true } };
}
