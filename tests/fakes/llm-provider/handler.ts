/**
 * One request, start to end: record it, check size, route, key and body, take the scripted answer,
 * apply its fault and send the provider-shaped response.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { isError, isFault } from "./answers.js";
import * as anthropic from "./anthropic.js";
import { credentialOf, sameKey } from "./auth.js";
import { parseJson, readBody } from "./body.js";
import { errorBody } from "./errors.js";
import { unwrap } from "./faults.js";
import * as gemini from "./gemini.js";
import * as openai from "./openai.js";
import { matchRoute, type RouteMatch } from "./routes.js";
import type { ScriptQueue } from "./script.js";
import { jsonPlan, type Plan, pause, type SendState, type StreamFault, send } from "./sse.js";
import { buildReply } from "./tokens.js";
import type {
  AbortEvent,
  Answer,
  ExpectedKeys,
  HoldPoint,
  ProviderName,
  RecordedRequest,
  ReplyAnswer,
} from "./types.js";
import type { Parsed, Render } from "./wire.js";

export interface FakeContext {
  queue: ScriptQueue;
  requests: RecordedRequest[];
  aborted: AbortEvent[];
  expectedKeys: ExpectedKeys;
  models: readonly string[];
  maxBodyBytes: number;
  maxRecorded: number;
  now: () => number;
  seq: number;
  closing: boolean;
  /** Set by `hold(point)`: responses wait on them at that point until the test releases them. */
  holds: Partial<Record<HoldPoint, Promise<void>>>;
  /** Called after each new record or abort (wakes `waitFor*`). */
  notify: () => void;
}

const headerMap = (req: IncomingMessage): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
};

function record(
  ctx: FakeContext,
  req: IncomingMessage,
  url: URL,
  match: RouteMatch,
  body: { text: string; bytes: number },
) {
  const json = parseJson(body.text);
  const streamFlag = typeof json === "object" && json !== null && "stream" in json && json.stream === true;
  const rec: RecordedRequest = {
    id: ++ctx.seq,
    provider: match.provider,
    route: match.route,
    method: req.method ?? "GET",
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: headerMap(req),
    rawHeaders: [...req.rawHeaders],
    body: body.text,
    bodyBytes: body.bytes,
    json,
    credential: credentialOf(match.provider, req.headers, url.searchParams),
    stream: match.stream ?? streamFlag,
    receivedAt: ctx.now(),
  };
  if (ctx.requests.length >= ctx.maxRecorded) ctx.requests.shift();
  ctx.requests.push(rec);
  ctx.notify();
  return rec;
}

function trackAbort(ctx: FakeContext, res: ServerResponse, rec: RecordedRequest, state: SendState): void {
  res.once("close", () => {
    if (res.writableFinished || state.droppedByFault || ctx.closing) return;
    const event = {
      requestId: rec.id,
      route: rec.route,
      path: rec.path,
      chunksSent: state.chunksSent,
      headersSent: res.headersSent,
      at: ctx.now(),
    };
    ctx.aborted.push(event);
    ctx.notify();
  });
}

const errorPlan = (
  provider: ProviderName,
  status: number,
  id: number,
  message?: string,
  headers?: Record<string, string>,
) => jsonPlan(status, errorBody(provider, status, `req_fake_${id}`, message), headers);

const PARSERS: Record<"openai.chat" | "anthropic.messages", (json: unknown) => Parsed> = {
  "openai.chat": openai.parseChat,
  "anthropic.messages": anthropic.parseMessages,
};

/** 400 plan for a body that is not JSON, in the provider's words. */
const BAD_JSON: Record<ProviderName, string> = {
  openai:
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly.)",
  anthropic: "There was an error parsing the body of your request.",
  gemini: "Invalid JSON payload received.",
};

/** Checks that need no script: size, route, key, headers, body shape. Returns the refusal, if any. */
function refuse(ctx: FakeContext, rec: RecordedRequest, tooLarge: boolean): Plan | undefined {
  const provider = rec.provider ?? "openai";
  if (tooLarge) {
    const message = `Request body exceeds ${ctx.maxBodyBytes} bytes.`;
    return errorPlan(provider, 413, rec.id, message, { connection: "close" });
  }
  if (rec.provider === null) {
    const message = `Invalid URL (${rec.method} ${rec.path})`;
    return jsonPlan(404, { error: { message, type: "invalid_request_error", param: null, code: null } });
  }
  const expected = ctx.expectedKeys[rec.provider];
  if (expected !== undefined && (rec.credential === null || !sameKey(rec.credential.value, expected))) {
    const message = rec.credential === null ? "No API key provided." : undefined;
    return errorPlan(provider, 401, rec.id, message);
  }
  if (rec.provider === "anthropic" && rec.headers["anthropic-version"] === undefined) {
    return errorPlan(provider, 400, rec.id, "anthropic-version: header is required");
  }
  if (rec.method === "POST" && rec.json === undefined) {
    return errorPlan(provider, 400, rec.id, BAD_JSON[provider]);
  }
  return undefined;
}

const kindOf = (answer: Answer | undefined): RecordedRequest["answer"] => {
  if (answer === undefined) return "default";
  if (isFault(answer)) return answer.fault;
  if (isError(answer)) return "error";
  return "toolCalls" in answer ? "tool_calls" : "text";
};

type Prepared = { render: (inner: ReplyAnswer | undefined) => Plan } | { refusal: Plan };

/** Validate the body before the queue is read, so a malformed request never eats a scripted answer. */
function prepare(ctx: FakeContext, rec: RecordedRequest, match: RouteMatch): Prepared {
  const provider = rec.provider ?? "openai";
  if (match.route === "openai.embeddings") {
    const result = openai.renderEmbeddings(rec.json);
    return "kind" in result
      ? { render: () => result }
      : { refusal: errorPlan(provider, 400, rec.id, result.message) };
  }
  const parsed =
    match.route === "openai.chat" || match.route === "anthropic.messages"
      ? PARSERS[match.route](rec.json)
      : gemini.parseGenerate(rec.json, match.model ?? "", match.stream === true, rec.query.alt === "sse");
  if (!parsed.ok) return { refusal: errorPlan(provider, 400, rec.id, parsed.message) };
  const render: Render =
    provider === "anthropic"
      ? anthropic.renderMessages
      : provider === "gemini"
        ? gemini.renderGenerate
        : openai.renderChat;
  const toolPrefix = provider === "anthropic" ? `toolu_fake_${rec.id}` : `call_fake_${rec.id}`;
  const meta = { requestId: rec.id, created: Math.floor(ctx.now() / 1000) };
  return {
    render: (inner) => render(buildReply(inner, parsed.request.prompt, toolPrefix), parsed.request, meta),
  };
}

function modelsPlan(ctx: FakeContext, match: RouteMatch): Plan {
  const created = Math.floor(ctx.now() / 1000);
  if (match.route === "anthropic.models") return anthropic.renderModels(ctx.models, created);
  if (match.route === "gemini.models") return gemini.renderModels(ctx.models);
  return openai.renderModels(ctx.models, created);
}

export async function handleProvider(
  ctx: FakeContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const match = matchRoute(req.method ?? "GET", url.pathname, req.headers);
  const body = await readBody(req, ctx.maxBodyBytes);
  const rec = record(ctx, req, url, match, body);
  const state: SendState = { chunksSent: 0, droppedByFault: false, beforeDrop: () => ctx.holds.drop };
  trackAbort(ctx, res, rec, state);
  const headers = {
    "x-request-id": `req_fake_${rec.id}`,
    ...(rec.provider === "anthropic" && { "request-id": `req_fake_${rec.id}` }),
  };
  const finish = (p: Plan, fault?: StreamFault): Promise<void> => {
    rec.status = p.kind === "json" ? p.status : 200;
    return send(res, { ...p, headers: { ...headers, ...p.headers } }, fault, state);
  };
  const refusal = refuse(ctx, rec, body.tooLarge);
  if (refusal) return finish(refusal);
  if (match.route.endsWith(".models")) return finish(modelsPlan(ctx, match));
  const prepared = prepare(ctx, rec, match);
  if ("refusal" in prepared) return finish(prepared.refusal);
  let answer: Answer | undefined;
  try {
    answer = ctx.queue.take(
      match.route === "openai.embeddings" ? "embeddings" : (rec.provider ?? "openai"),
      rec,
    );
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return finish(errorPlan(rec.provider ?? "openai", 500, rec.id, message));
  }
  rec.answer = kindOf(answer);
  if (ctx.holds.response) {
    await ctx.holds.response;
    if (res.destroyed) return;
  }
  const { delayMs, fault, inner } = unwrap(answer, rec);
  if (delayMs > 0) {
    await pause(delayMs, res);
    if (res.destroyed) return;
  }
  if (inner !== undefined && isError(inner)) {
    const { status, body: errBody, headers: errHeaders } = inner.error;
    return finish(
      jsonPlan(
        status,
        errBody ?? errorBody(rec.provider ?? "openai", status, `req_fake_${rec.id}`),
        errHeaders,
      ),
      fault,
    );
  }
  return finish(prepared.render(inner), fault);
}
