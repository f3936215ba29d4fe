/**
 * OpenAI Chat Completions (JSON and SSE chunks, tool-call deltas, the include_usage chunk), embeddings
 * and the model list, shaped like api.openai.com.
 */
import { z } from "zod";
import { embed, toBase64 } from "./embed.js";
import { jsonPlan, type Plan, SSE_CONTENT_TYPE, sseFrame } from "./sse.js";
import { countTokens, type PromptInfo, type Reply, splitFragments, splitText, textOf } from "./tokens.js";
import { type ChatRequest, describeIssue, type Meta, type Parsed } from "./wire.js";

const message = z.looseObject({
  role: z.string().min(1),
  content: z.unknown().optional(),
  tool_calls: z
    .array(z.looseObject({ function: z.looseObject({ name: z.string(), arguments: z.string() }) }))
    .nullish(),
});

const chatBody = z.looseObject({
  model: z.string().min(1),
  messages: z.array(message).min(1),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  max_tokens: z.int().min(1).nullish(),
  max_completion_tokens: z.int().min(1).nullish(),
});

type ChatBody = z.infer<typeof chatBody>;

function prompt(body: ChatBody): PromptInfo {
  const texts: string[] = [];
  let lastUser = "";
  for (const m of body.messages) {
    const text = textOf(m.content);
    if (text !== "") texts.push(text);
    for (const call of m.tool_calls ?? []) texts.push(call.function.name + call.function.arguments);
    if (m.role === "user") lastUser = text;
  }
  const maxTokens = body.max_completion_tokens ?? body.max_tokens ?? undefined;
  return { text: texts.join("\n"), lastUser, ...(maxTokens !== undefined && { maxTokens }) };
}

export function parseChat(json: unknown): Parsed {
  const parsed = chatBody.safeParse(json);
  if (!parsed.success) return { ok: false, message: describeIssue(parsed.error) };
  const body = parsed.data;
  const stream = body.stream === true;
  if (body.stream_options != null && !stream) {
    return { ok: false, message: "The 'stream_options' parameter is only allowed when 'stream' is enabled." };
  }
  const includeUsage = stream && body.stream_options?.include_usage === true;
  return { ok: true, request: { model: body.model, stream, prompt: prompt(body), includeUsage, sse: true } };
}

const FINISH = { stop: "stop", tool_calls: "tool_calls", length: "length" } as const;

const usageOf = (reply: Reply) =>
  reply.usage.totalOnly ? { total_tokens: reply.usage.input + reply.usage.output } : fullUsageOf(reply);

const fullUsageOf = (reply: Reply) => ({
  prompt_tokens: reply.usage.input,
  completion_tokens: reply.usage.output,
  total_tokens: reply.usage.input + reply.usage.output,
  prompt_tokens_details: { cached_tokens: reply.usage.cached, audio_tokens: 0 },
  completion_tokens_details: {
    reasoning_tokens: 0,
    audio_tokens: 0,
    accepted_prediction_tokens: 0,
    rejected_prediction_tokens: 0,
  },
});

const envelope = (request: ChatRequest, meta: Meta, object: string) => ({
  id: `chatcmpl-fake-${meta.requestId}`,
  object,
  created: meta.created,
  model: request.model,
  service_tier: "default",
  system_fingerprint: "fp_fake",
});

export function renderChat(reply: Reply, request: ChatRequest, meta: Meta): Plan {
  const toolCalls = reply.toolCalls.map((c) => ({
    id: c.id,
    type: "function",
    function: { name: c.name, arguments: JSON.stringify(c.args) },
  }));
  if (!request.stream) {
    const message = {
      role: "assistant",
      content: reply.text === "" && toolCalls.length > 0 ? null : reply.text,
      refusal: null,
      annotations: [],
      ...(toolCalls.length > 0 && { tool_calls: toolCalls }),
    };
    const choice = { index: 0, message, logprobs: null, finish_reason: FINISH[reply.finish] };
    return jsonPlan(200, {
      ...envelope(request, meta, "chat.completion"),
      choices: [choice],
      usage: usageOf(reply),
    });
  }
  const base = envelope(request, meta, "chat.completion.chunk");
  const usageNull = request.includeUsage ? { usage: null } : {};
  const chunk = (delta: unknown, finish: string | null = null): string =>
    sseFrame({
      ...base,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      ...usageNull,
    });
  const chunks = [chunk({ role: "assistant", content: "", refusal: null })];
  for (const piece of splitText(reply.text)) chunks.push(chunk({ content: piece }));
  toolCalls.forEach((call, index) => {
    const head = {
      index,
      id: call.id,
      type: "function",
      function: { name: call.function.name, arguments: "" },
    };
    chunks.push(chunk({ tool_calls: [head] }));
    for (const fragment of splitFragments(call.function.arguments)) {
      chunks.push(chunk({ tool_calls: [{ index, function: { arguments: fragment } }] }));
    }
  });
  chunks.push(chunk({}, FINISH[reply.finish]));
  if (request.includeUsage) chunks.push(sseFrame({ ...base, choices: [], usage: usageOf(reply) }));
  chunks.push(sseFrame("[DONE]"));
  return { kind: "stream", contentType: SSE_CONTENT_TYPE, chunks, chunkDelayMs: reply.chunkDelayMs };
}

// ---- embeddings ----

const MAX_INPUTS = 2048;

const embeddingsBody = z.looseObject({
  model: z.string().min(1),
  input: z.union([
    z.string(),
    z.array(z.string()).min(1).max(MAX_INPUTS),
    z.array(z.int()).min(1),
    z.array(z.array(z.int()).min(1)).min(1).max(MAX_INPUTS),
  ]),
  dimensions: z.int().min(1).max(3072).optional(),
  encoding_format: z.enum(["float", "base64"]).optional(),
});

export const DEFAULT_DIMENSIONS = 256;

/** Token-array inputs are embedded as their numbers joined by spaces and counted one token per id. */
export function renderEmbeddings(json: unknown): Plan | { message: string } {
  const parsed = embeddingsBody.safeParse(json);
  if (!parsed.success) return { message: describeIssue(parsed.error) };
  const { model, input, dimensions = DEFAULT_DIMENSIONS, encoding_format } = parsed.data;
  const items: { text: string; tokens: number }[] = [];
  const list: unknown[] = typeof input === "string" ? [input] : input;
  if (list.every((x) => typeof x === "number")) {
    items.push({ text: list.join(" "), tokens: list.length });
  } else {
    for (const x of list) {
      if (typeof x === "string") items.push({ text: x, tokens: countTokens(x) });
      else if (Array.isArray(x)) items.push({ text: x.join(" "), tokens: x.length });
    }
  }
  const data = items.map((item, index) => {
    const v = embed(item.text, dimensions);
    return {
      object: "embedding",
      index,
      embedding: encoding_format === "base64" ? toBase64(v) : Array.from(v),
    };
  });
  const tokens = items.reduce((sum, i) => sum + i.tokens, 0);
  return jsonPlan(200, {
    object: "list",
    data,
    model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  });
}

export const renderModels = (models: readonly string[], created: number): Plan =>
  jsonPlan(200, {
    object: "list",
    data: models.map((id) => ({ id, object: "model", created, owned_by: "fake" })),
  });
