/**
 * Control API for tests that drive the fake over HTTP (e.g. the fake running as a container):
 * GET /_fake/health, POST /_fake/script, GET /_fake/requests, POST /_fake/reset. Off unless enabled.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { scriptRequestSchema } from "./answers.js";
import { parseJson, readBody } from "./body.js";
import type { ScriptQueue } from "./script.js";
import type { AbortEvent, RecordedRequest } from "./types.js";
import { describeIssue } from "./wire.js";

export interface ControlDeps {
  queue: ScriptQueue;
  requests: readonly RecordedRequest[];
  aborted: readonly AbortEvent[];
  reset: () => void;
  maxBodyBytes: number;
}

const reply = (res: ServerResponse, status: number, body?: unknown): void => {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  const text = JSON.stringify(body);
  res
    .writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) })
    .end(text);
};

const fail = (res: ServerResponse, status: number, message: string): void =>
  reply(res, status, { error: { message } });

export async function handleControl(
  deps: ControlDeps,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
) {
  const body = await readBody(req, deps.maxBodyBytes);
  if (body.tooLarge) return fail(res, 413, `control body exceeds ${deps.maxBodyBytes} bytes`);
  const route = `${req.method} ${path}`;
  if (route === "GET /_fake/health") return reply(res, 200, { ok: true });
  if (route === "GET /_fake/requests")
    return reply(res, 200, { requests: deps.requests, aborted: deps.aborted });
  if (route === "POST /_fake/reset") {
    deps.reset();
    return reply(res, 204);
  }
  if (route === "POST /_fake/script") {
    const parsed = scriptRequestSchema.safeParse(parseJson(body.text));
    if (!parsed.success) return fail(res, 400, describeIssue(parsed.error));
    try {
      // Each answer is validated; a bad one rejects the whole batch.
      deps.queue.pushJson(parsed.data.target, parsed.data.answers);
    } catch (err) {
      return fail(res, 400, err instanceof Error ? err.message : String(err));
    }
    return reply(res, 200, { pending: deps.queue.pending(parsed.data.target) });
  }
  return fail(res, 404, `unknown control route ${route}`);
}
