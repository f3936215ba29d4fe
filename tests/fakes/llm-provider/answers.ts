/**
 * zod schemas for scripted answers: every answer (in-process, SCRIPT_FILE or POST /_fake/script) is parsed
 * here, so a typo in a test script fails loudly with the path of the bad field.
 */
import { z } from "zod";
import type { Answer, ErrorAnswer, FaultAnswer, ReplyAnswer, ScriptTarget } from "./types.js";

const count = z.int().min(0).max(100_000_000);

const usage = z.strictObject({
  input: count.optional(),
  output: count.optional(),
  cached: count.optional(),
  cacheWrite: count.optional(),
  totalOnly: z.boolean().optional(),
});

const toolCall = z.strictObject({
  name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, "tool name must match ^[a-zA-Z0-9_-]{1,64}$"),
  args: z.record(z.string(), z.unknown()),
  id: z.string().min(1).max(128).optional(),
});

const chunkDelayMs = z.int().min(0).max(60_000).optional();
const MAX_TEXT = 1_000_000;

const textAnswer = z.strictObject({ text: z.string().max(MAX_TEXT), usage: usage.optional(), chunkDelayMs });

const toolCallsAnswer = z.strictObject({
  toolCalls: z.array(toolCall).min(1).max(64),
  text: z.string().max(MAX_TEXT).optional(),
  usage: usage.optional(),
  chunkDelayMs,
});

const replyAnswer = z.union([toolCallsAnswer, textAnswer]);

const errorAnswer = z.strictObject({
  error: z.strictObject({
    status: z.int().min(400).max(599),
    body: z.unknown().optional(),
    headers: z.record(z.string().regex(/^[a-z0-9-]+$/i, "invalid header name"), z.string()).optional(),
  }),
});

const faultAnswer = z.discriminatedUnion("fault", [
  z.strictObject({
    fault: z.literal("slow_first_byte"),
    delayMs: z.int().min(0).max(600_000),
    answer: z.union([replyAnswer, errorAnswer]).optional(),
  }),
  z.strictObject({
    fault: z.literal("drop_mid_stream"),
    afterChunks: z.int().min(0).max(10_000),
    answer: replyAnswer.optional(),
  }),
  z.strictObject({
    fault: z.literal("error_mid_stream"),
    afterChunks: z.int().min(0).max(10_000),
    status: z.int().min(400).max(599).optional(),
    answer: replyAnswer.optional(),
  }),
  z.strictObject({
    fault: z.literal("never_end"),
    afterChunks: z.int().min(0).max(10_000).optional(),
    answer: replyAnswer.optional(),
  }),
]);

export const answerSchema = z.union([replyAnswer, errorAnswer, faultAnswer]);

export const scriptTargetSchema = z.enum(["openai", "anthropic", "gemini", "embeddings", "*"]);

/** Body of POST /_fake/script. */
export const scriptRequestSchema = z.strictObject({
  target: scriptTargetSchema.default("*"),
  answers: z.array(z.unknown()).min(1).max(10_000),
});

/** SCRIPT_FILE: an array of answers (queued on "*") or `{ "<target>": [answers] }`. */
export const scriptFileSchema = z.union([
  z.array(z.unknown()).max(10_000),
  z.partialRecord(scriptTargetSchema, z.array(z.unknown()).max(10_000)),
]);

// Compile-time check that the schema and the hand-written types agree both ways.
type Parsed = z.infer<typeof answerSchema>;
const _toType = (a: Parsed): Answer => a;
const _toSchema = (a: Answer): Parsed => a;
void _toType;
void _toSchema;

/** Parse one answer; throws an Error naming the answer index and field on bad input. */
export function parseAnswer(value: unknown, where: string): Answer {
  const parsed = schemaFor(value).safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue?.path.length ? issue.path.join(".") : "(root)";
  throw new Error(
    `fake provider: invalid scripted answer ${where} at ${path}: ${issue?.message ?? "invalid"}`,
  );
}

/** Pick the member by its key so the error names the real problem, not "no union member matched". */
function schemaFor(value: unknown): z.ZodType<Answer> {
  if (typeof value !== "object" || value === null) return answerSchema;
  if ("fault" in value) return faultAnswer;
  if ("error" in value) return errorAnswer;
  if ("toolCalls" in value) return toolCallsAnswer;
  return textAnswer;
}

export const isError = (a: Answer): a is ErrorAnswer => "error" in a;
export const isFault = (a: Answer): a is FaultAnswer => "fault" in a;
export const isToolCalls = (a: ReplyAnswer): a is Extract<ReplyAnswer, { toolCalls: unknown }> =>
  "toolCalls" in a;

/** Embeddings have no text to script: only errors and faults make sense there. */
export function checkTarget(target: ScriptTarget, answer: Answer, where: string): void {
  if (target !== "embeddings") return;
  if (isError(answer)) return;
  if (isFault(answer) && answer.answer === undefined) return;
  throw new Error(
    `fake provider: answer ${where} for "embeddings" must be an error or a fault without "answer"`,
  );
}
