/**
 * Deterministic token arithmetic, so metering tests can assert exact numbers: one token per started group
 * of four UTF-16 code units. Tests compute expectations with the same exported functions.
 */
import { isToolCalls } from "./answers.js";
import type { ReplyAnswer, ToolCall, Usage } from "./types.js";

export const countTokens = (text: string): number => Math.ceil(text.length / 4);

/** What a wire module extracts from a request before a reply is built. */
export interface PromptInfo {
  /** Every text of the prompt (system, messages, tool calls and results) joined with "\n". */
  text: string;
  /** Text of the last user message ("" when none). */
  lastUser: string;
  /** The request's output cap (`max_tokens`, `max_completion_tokens`, `maxOutputTokens`). */
  maxTokens?: number;
}

export interface Reply {
  text: string;
  toolCalls: Required<ToolCall>[];
  usage: Required<Omit<Usage, "totalOnly">> & { totalOnly?: true };
  finish: "stop" | "tool_calls" | "length";
  chunkDelayMs: number;
}

const ECHO_LIMIT = 500;

/** The reply to send when no answer is scripted. */
export const defaultReplyText = (lastUser: string): string =>
  `fake reply to: ${lastUser.slice(0, ECHO_LIMIT)}`;

/** Prompt tokens as reported when usage is not scripted (never 0, like the real APIs). */
export const promptTokens = (prompt: PromptInfo): number => Math.max(1, countTokens(prompt.text));

/** Output tokens as reported when usage is not scripted: the text plus each call's name and JSON args. */
export function completionTokens(text: string, toolCalls: readonly ToolCall[]): number {
  const calls = toolCalls.map((c) => c.name + JSON.stringify(c.args)).join("");
  return Math.max(1, countTokens(text + calls));
}

/**
 * Turn a scripted answer (or none) into the provider-neutral reply. A text longer than the request's output
 * cap is cut to the cap and finishes with "length", unless the test scripted the usage itself.
 */
export function buildReply(answer: ReplyAnswer | undefined, prompt: PromptInfo, toolIdPrefix: string): Reply {
  const scripted = answer?.usage ?? {};
  let text = answer === undefined ? defaultReplyText(prompt.lastUser) : (answer.text ?? "");
  const calls = answer !== undefined && isToolCalls(answer) ? answer.toolCalls : [];
  const toolCalls = calls.map((c, i) => ({ name: c.name, args: c.args, id: c.id ?? `${toolIdPrefix}_${i}` }));
  let finish: Reply["finish"] = toolCalls.length > 0 ? "tool_calls" : "stop";
  const cap = prompt.maxTokens;
  if (
    cap !== undefined &&
    toolCalls.length === 0 &&
    scripted.output === undefined &&
    countTokens(text) > cap
  ) {
    text = text.slice(0, cap * 4);
    finish = "length";
  }
  return {
    text,
    toolCalls,
    finish,
    chunkDelayMs: answer?.chunkDelayMs ?? 0,
    usage: {
      input: scripted.input ?? promptTokens(prompt),
      output: scripted.output ?? completionTokens(text, toolCalls),
      cached: scripted.cached ?? 0,
      cacheWrite: scripted.cacheWrite ?? 0,
      ...(scripted.totalOnly ? { totalOnly: true as const } : {}),
    },
  };
}

/** Split text into word-sized pieces (each keeps its trailing whitespace); joined they equal the text. */
export function splitText(text: string): string[] {
  return text.match(/\s*\S+\s*/g) ?? (text === "" ? [] : [text]);
}

/** Split a string into `parts` nearly equal fragments (fewer when it is short). */
export function splitFragments(s: string, parts = 3): string[] {
  if (s.length === 0) return [""];
  const size = Math.ceil(s.length / parts);
  const out: string[] = [];
  for (let i = 0; i < s.length; i += size) out.push(s.slice(i, i + size));
  return out;
}

/** Concatenate the text found in a content value: a string, or parts/blocks with a `text` field. */
export function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  const texts: string[] = [];
  for (const part of content) {
    if (typeof part === "string") texts.push(part);
    else if (part && typeof part === "object" && "text" in part && typeof part.text === "string")
      texts.push(part.text);
  }
  return texts.join("\n");
}
