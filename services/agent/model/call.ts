import {
  type AssistantModelMessage,
  jsonSchema,
  type LanguageModel,
  type ModelMessage,
  streamText,
  type ToolSet,
} from "ai";
import type { ModelFailure } from "../core/failover.js";
import { toModelFailure } from "./errors.js";

export interface ToolSpec {
  name: string;
  description: string;
  /** JSON Schema of the input. The SDK does not validate it: our registry parses with zod. */
  schema: Record<string, unknown>;
}

export interface ModelCallInput {
  model: LanguageModel;
  system: string;
  messages: ModelMessage[];
  /** Undefined: a tool-less call (the final answer of a chat turn). */
  tools?: readonly ToolSpec[];
  maxOutputTokens?: number;
  temperature?: number;
  signal: AbortSignal;
  /** Streamed text as it arrives. */
  onDelta?: (text: string) => void;
}

export interface ModelToolCall {
  id: string;
  name: string;
  input: unknown;
}

export interface ModelCallResult {
  text: string;
  toolCalls: ModelToolCall[];
  /** The assistant message to append to the history (text + tool calls, provider metadata kept). */
  assistant: AssistantModelMessage | undefined;
  usage: { input: number; output: number; cacheRead: number };
  finishReason: string;
}

/** A failed call, already classified for the failover policy. */
export class ModelCallError extends Error {
  constructor(readonly failure: ModelFailure) {
    super(failure.message);
    this.name = "ModelCallError";
  }
}

const KEPT_PARTS = new Set(["text", "reasoning", "tool-call"]);

/** Per tool list (one per run): the SDK tool set, built once instead of at every step. */
const TOOL_SETS = new WeakMap<readonly ToolSpec[], ToolSet>();

function toToolSet(tools: readonly ToolSpec[]): ToolSet {
  const cached = TOOL_SETS.get(tools);
  if (cached) return cached;
  const set: ToolSet = {};
  // Sorted so the request prefix (and the provider's prompt cache) is stable.
  for (const t of [...tools].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    set[t.name] = { description: t.description, inputSchema: jsonSchema(t.schema) };
  }
  TOOL_SETS.set(tools, set);
  return set;
}

/**
 * One model call through the AI SDK's streamText with tools declared without `execute`, so the SDK
 * never runs anything: our loop executes tool calls, applies limits and appends results. Retries are
 * off (maxRetries 0): the failover policy decides. Throws ModelCallError.
 */
export async function callModel(input: ModelCallInput): Promise<ModelCallResult> {
  let sawOutput = false;
  let streamError: unknown;
  const toolCalls: ModelToolCall[] = [];
  let text = "";
  try {
    const result = streamText({
      model: input.model,
      system: input.system,
      messages: input.messages,
      tools: input.tools ? toToolSet(input.tools) : undefined,
      maxRetries: 0,
      maxOutputTokens: input.maxOutputTokens,
      temperature: input.temperature,
      abortSignal: input.signal,
      onError: ({ error }) => {
        streamError = error;
      },
    });
    for await (const part of result.fullStream) {
      if (part.type === "text-delta") {
        sawOutput = true;
        text += part.text;
        input.onDelta?.(part.text);
      } else if (part.type === "tool-call") {
        sawOutput = true;
        toolCalls.push({ id: part.toolCallId, name: part.toolName, input: part.input });
      } else if (part.type === "error") {
        streamError = part.error;
        break;
      } else if (part.type === "abort") {
        throw new ModelCallError(toModelFailure(undefined, sawOutput, true));
      }
    }
    if (streamError !== undefined) throw streamError;
    const [messages, usage, finishReason] = await Promise.all([
      result.responseMessages,
      result.usage,
      result.finishReason,
    ]);
    const found = messages.find((m): m is AssistantModelMessage => m.role === "assistant");
    let assistant: AssistantModelMessage | undefined;
    if (found) {
      const content =
        typeof found.content === "string"
          ? found.content
          : found.content.filter((p) => KEPT_PARTS.has(p.type));
      if (content.length > 0) assistant = { ...found, content };
    }
    return {
      text,
      toolCalls,
      assistant,
      usage: {
        input: usage.inputTokens ?? 0,
        output: usage.outputTokens ?? 0,
        cacheRead: usage.inputTokenDetails?.cacheReadTokens ?? 0,
      },
      finishReason,
    };
  } catch (error) {
    if (error instanceof ModelCallError) throw error;
    throw new ModelCallError(toModelFailure(error, sawOutput, input.signal.aborted));
  }
}
