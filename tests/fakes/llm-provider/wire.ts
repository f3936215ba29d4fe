/**
 * What the three wire modules share: a parsed chat request and the per-request ids the server assigns.
 */
import type { z } from "zod";
import type { Plan } from "./sse.js";
import type { PromptInfo, Reply } from "./tokens.js";

export interface ChatRequest {
  model: string;
  stream: boolean;
  prompt: PromptInfo;
  /** OpenAI: `stream_options.include_usage`. */
  includeUsage: boolean;
  /** Gemini: `?alt=sse` (otherwise a streamed JSON array). */
  sse: boolean;
}

export interface Meta {
  requestId: number;
  /** Unix seconds. */
  created: number;
}

/** Parse result: the request, or the message of the provider's 400. */
export type Parsed = { ok: true; request: ChatRequest } | { ok: false; message: string };

/** One readable line per zod issue: `path: message` ("body" for the root). */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "invalid request body";
  const path = issue.path.length > 0 ? issue.path.join(".") : "body";
  return `${path}: ${issue.message}`;
}

export type Render = (reply: Reply, request: ChatRequest, meta: Meta) => Plan;
