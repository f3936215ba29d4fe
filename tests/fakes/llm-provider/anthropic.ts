/**
 * Anthropic Messages: JSON with content blocks (text, tool_use) and the SSE event sequence
 * message_start → content_block_start → ping → content_block_delta… → content_block_stop → message_delta →
 * message_stop, with usage in message_start and message_delta.
 */
import { z } from "zod";
import { jsonPlan, type Plan, SSE_CONTENT_TYPE, sseFrame } from "./sse.js";
import { type PromptInfo, type Reply, splitFragments, splitText, textOf } from "./tokens.js";
import { type ChatRequest, describeIssue, type Meta, type Parsed } from "./wire.js";

const block = z.looseObject({ type: z.string() });

const messagesBody = z.looseObject({
  model: z.string().min(1),
  max_tokens: z.int().min(1),
  messages: z
    .array(
      z.looseObject({ role: z.enum(["user", "assistant"]), content: z.union([z.string(), z.array(block)]) }),
    )
    .min(1),
  system: z.union([z.string(), z.array(block)]).optional(),
  stream: z.boolean().optional(),
});

type Block = z.infer<typeof block>;

/** Text of one content block: text, tool_use (name + JSON input) or tool_result (its content). */
function blockText(b: Block): string {
  if (b.type === "text" && typeof b.text === "string") return b.text;
  if (b.type === "tool_use") return String(b.name ?? "") + JSON.stringify(b.input ?? {});
  if (b.type === "tool_result") return textOf(b.content);
  return "";
}

const contentText = (content: string | Block[]): string =>
  typeof content === "string"
    ? content
    : content
        .map(blockText)
        .filter((t) => t !== "")
        .join("\n");

export function parseMessages(json: unknown): Parsed {
  const parsed = messagesBody.safeParse(json);
  if (!parsed.success) return { ok: false, message: describeIssue(parsed.error) };
  const body = parsed.data;
  const texts: string[] = [];
  if (body.system !== undefined) texts.push(contentText(body.system));
  let lastUser = "";
  for (const m of body.messages) {
    const text = contentText(m.content);
    if (text !== "") texts.push(text);
    if (m.role !== "user") continue;
    const content = m.content;
    const plain = typeof content === "string" ? content : textOf(content.filter((b) => b.type === "text"));
    if (plain !== "") lastUser = plain;
  }
  const prompt: PromptInfo = {
    text: texts.filter((t) => t !== "").join("\n"),
    lastUser,
    maxTokens: body.max_tokens,
  };
  return {
    ok: true,
    request: { model: body.model, stream: body.stream === true, prompt, includeUsage: true, sse: true },
  };
}

const STOP = { stop: "end_turn", tool_calls: "tool_use", length: "max_tokens" } as const;

const inputUsage = (reply: Reply) => ({
  input_tokens: Math.max(0, reply.usage.input - reply.usage.cached - reply.usage.cacheWrite),
  cache_creation_input_tokens: reply.usage.cacheWrite,
  cache_read_input_tokens: reply.usage.cached,
});

const blocksOf = (reply: Reply) => {
  const hasText = reply.text !== "" || reply.toolCalls.length === 0;
  return [
    ...(hasText ? [{ type: "text" as const, text: reply.text }] : []),
    ...reply.toolCalls.map((c) => ({ type: "tool_use" as const, id: c.id, name: c.name, input: c.args })),
  ];
};

export function renderMessages(reply: Reply, request: ChatRequest, meta: Meta): Plan {
  const head = {
    id: `msg_fake_${meta.requestId}`,
    type: "message",
    role: "assistant",
    model: request.model,
  };
  const blocks = blocksOf(reply);
  if (!request.stream) {
    return jsonPlan(200, {
      ...head,
      content: blocks,
      stop_reason: STOP[reply.finish],
      stop_sequence: null,
      usage: {
        ...inputUsage(reply),
        cache_creation: { ephemeral_5m_input_tokens: reply.usage.cacheWrite, ephemeral_1h_input_tokens: 0 },
        output_tokens: reply.usage.output,
        service_tier: "standard",
      },
    });
  }
  const ev = (type: string, data: Record<string, unknown>): string => sseFrame({ type, ...data }, type);
  const chunks = [
    ev("message_start", {
      message: {
        ...head,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...inputUsage(reply), output_tokens: 1, service_tier: "standard" },
      },
    }),
  ];
  blocks.forEach((b, index) => {
    const start = b.type === "text" ? { type: "text", text: "" } : { ...b, input: {} };
    chunks.push(ev("content_block_start", { index, content_block: start }));
    if (index === 0) chunks.push(ev("ping", {}));
    const deltas =
      b.type === "text"
        ? splitText(b.text).map((text) => ({ type: "text_delta", text }))
        : ["", ...splitFragments(JSON.stringify(b.input))].map((p) => ({
            type: "input_json_delta",
            partial_json: p,
          }));
    for (const delta of deltas) chunks.push(ev("content_block_delta", { index, delta }));
    chunks.push(ev("content_block_stop", { index }));
  });
  chunks.push(
    ev("message_delta", {
      delta: { stop_reason: STOP[reply.finish], stop_sequence: null },
      usage: { ...inputUsage(reply), output_tokens: reply.usage.output },
    }),
  );
  chunks.push(ev("message_stop", {}));
  return { kind: "stream", contentType: SSE_CONTENT_TYPE, chunks, chunkDelayMs: reply.chunkDelayMs };
}

export const renderModels = (models: readonly string[], created: number): Plan => {
  const data = models.map((id) => ({
    type: "model",
    id,
    display_name: id,
    created_at: new Date(created * 1000).toISOString(),
  }));
  return jsonPlan(200, {
    data,
    has_more: false,
    first_id: data[0]?.id ?? null,
    last_id: data.at(-1)?.id ?? null,
  });
};
