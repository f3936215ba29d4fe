/**
 * Gemini generateContent / streamGenerateContent: JSON, SSE (`?alt=sse`, CRLF frames, no [DONE]) or a
 * streamed JSON array, with cumulative `usageMetadata` snapshots and functionCall parts.
 */
import { z } from "zod";
import { JSON_CONTENT_TYPE, jsonPlan, type Plan, sseFrame } from "./sse.js";
import { countTokens, type PromptInfo, type Reply, splitText } from "./tokens.js";
import { type ChatRequest, describeIssue, type Meta, type Parsed } from "./wire.js";

const part = z.looseObject({
  text: z.string().optional(),
  functionCall: z.looseObject({ name: z.string(), args: z.unknown().optional() }).optional(),
  functionResponse: z.looseObject({ name: z.string(), response: z.unknown().optional() }).optional(),
});

const content = z.looseObject({ role: z.string().optional(), parts: z.array(part).min(1) });

const generateBody = z.looseObject({
  contents: z.array(content).min(1),
  systemInstruction: z.looseObject({ parts: z.array(part) }).optional(),
  generationConfig: z.looseObject({ maxOutputTokens: z.int().min(1).optional() }).optional(),
});

type Part = z.infer<typeof part>;

const partText = (p: Part): string =>
  p.text ??
  (p.functionCall ? p.functionCall.name + JSON.stringify(p.functionCall.args ?? {}) : undefined) ??
  (p.functionResponse ? p.functionResponse.name + JSON.stringify(p.functionResponse.response ?? {}) : "");

const partsText = (parts: Part[]): string =>
  parts
    .map(partText)
    .filter((t) => t !== "")
    .join("\n");

/** `model` comes from the path; `stream`/`sse` from the method and `?alt=sse`. */
export function parseGenerate(json: unknown, model: string, stream: boolean, sse: boolean): Parsed {
  const parsed = generateBody.safeParse(json);
  if (!parsed.success)
    return { ok: false, message: `Invalid JSON payload received. ${describeIssue(parsed.error)}` };
  const body = parsed.data;
  const texts: string[] = [];
  if (body.systemInstruction) texts.push(partsText(body.systemInstruction.parts));
  let lastUser = "";
  for (const c of body.contents) {
    const text = partsText(c.parts);
    if (text !== "") texts.push(text);
    const plain = c.parts.flatMap((p) => (p.text === undefined ? [] : [p.text])).join("\n");
    if ((c.role ?? "user") === "user" && plain !== "") lastUser = plain;
  }
  const maxTokens = body.generationConfig?.maxOutputTokens;
  const prompt: PromptInfo = {
    text: texts.filter((t) => t !== "").join("\n"),
    lastUser,
    ...(maxTokens !== undefined && { maxTokens }),
  };
  return { ok: true, request: { model, stream, prompt, includeUsage: true, sse } };
}

const FINISH = { stop: "STOP", tool_calls: "STOP", length: "MAX_TOKENS" } as const;

const usageMetadata = (reply: Reply, output: number) => ({
  promptTokenCount: reply.usage.input,
  candidatesTokenCount: output,
  totalTokenCount: reply.usage.input + output,
  ...(reply.usage.cached > 0 && { cachedContentTokenCount: reply.usage.cached }),
  promptTokensDetails: [{ modality: "TEXT", tokenCount: reply.usage.input }],
});

export function renderGenerate(reply: Reply, request: ChatRequest, meta: Meta): Plan {
  const responseId = `fake-${meta.requestId}`;
  const calls = reply.toolCalls.map((c) => ({ functionCall: { name: c.name, args: c.args } }));
  const response = (parts: unknown[], output: number, last: boolean) => ({
    candidates: [
      { content: { parts, role: "model" }, ...(last && { finishReason: FINISH[reply.finish] }), index: 0 },
    ],
    usageMetadata: usageMetadata(reply, output),
    modelVersion: request.model,
    responseId,
  });
  if (!request.stream) {
    const text = reply.text !== "" || calls.length === 0 ? [{ text: reply.text }] : [];
    return jsonPlan(200, response([...text, ...calls], reply.usage.output, true));
  }
  const steps: unknown[][] = splitText(reply.text).map((text) => [{ text }]);
  if (calls.length > 0) steps.push(calls);
  if (steps.length === 0) steps.push([{ text: "" }]);
  let sent = "";
  const bodies = steps.map((parts, i) => {
    const last = i === steps.length - 1;
    for (const p of parts) if (p && typeof p === "object" && "text" in p) sent += String(p.text);
    // Cumulative snapshot: intermediate counts grow with the text sent; the last one is exact.
    const output = last ? reply.usage.output : Math.min(reply.usage.output, countTokens(sent));
    return response(parts, output, last);
  });
  if (request.sse) {
    const chunks = bodies.map((b) => sseFrame(b, undefined, "\r\n"));
    return { kind: "stream", contentType: "text/event-stream", chunks, chunkDelayMs: reply.chunkDelayMs };
  }
  const chunks = bodies.map((b, i) => `${i === 0 ? "[" : ",\r\n"}${JSON.stringify(b)}`);
  chunks.push("]");
  return { kind: "stream", contentType: JSON_CONTENT_TYPE, chunks, chunkDelayMs: reply.chunkDelayMs };
}

export const renderModels = (models: readonly string[]): Plan =>
  jsonPlan(200, {
    models: models.map((id) => ({
      name: `models/${id}`,
      displayName: id,
      supportedGenerationMethods: ["generateContent"],
    })),
  });
