/**
 * Response plans and the one function that writes them. A wire module returns a `Plan` (pure data:
 * a JSON body or a list of stream chunks); `send` puts it on the socket, applying a stream fault if any.
 */
import type { ServerResponse } from "node:http";

/** One SSE frame: optional `event:` line, one `data:` line, blank line. Gemini uses CRLF. */
export const sseFrame = (data: unknown, event?: string, eol = "\n"): string =>
  `${event === undefined ? "" : `event: ${event}${eol}`}data: ${typeof data === "string" ? data : JSON.stringify(data)}${eol}${eol}`;

export const SSE_CONTENT_TYPE = "text/event-stream; charset=utf-8";
export const JSON_CONTENT_TYPE = "application/json";

export type Plan =
  | { kind: "json"; status: number; body: string; headers?: Record<string, string> }
  | {
      kind: "stream";
      contentType: string;
      chunks: string[];
      headers?: Record<string, string>;
      chunkDelayMs?: number;
    };

export const jsonPlan = (status: number, body: unknown, headers?: Record<string, string>): Plan => ({
  kind: "json",
  status,
  body: typeof body === "string" ? body : JSON.stringify(body),
  ...(headers && { headers }),
});

/** Stop writing after `afterChunks` chunks, then close the connection, hang, or end with `tail` (`mode`). */
export type StreamFault = { afterChunks: number } & (
  | { mode: "drop" | "hang" }
  | { mode: "end"; tail: string }
);

/** Shared with the abort tracker in server.ts. */
export interface SendState {
  chunksSent: number;
  /** Set when the fake itself cut the connection (not a client abort). */
  droppedByFault: boolean;
  /** Awaited after the chunks of a `drop` fault are written, before the connection is cut. */
  beforeDrop?: () => Promise<void> | undefined;
}

const closed = (res: ServerResponse): boolean => res.destroyed || res.socket === null || res.socket.destroyed;

/** Resolve after `ms`, or as soon as the client goes away. */
export function pause(ms: number, res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      res.off("close", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    res.once("close", done);
  });
}

const drained = (res: ServerResponse): Promise<void> =>
  new Promise((resolve) => {
    const done = (): void => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.once("drain", done);
    res.once("close", done);
  });

/** A JSON body cut in two, so a fault can stop after the first half. */
const halves = (body: string): string[] => {
  const mid = Math.ceil(body.length / 2);
  return [body.slice(0, mid), body.slice(mid)];
};

export async function send(
  res: ServerResponse,
  plan: Plan,
  fault: StreamFault | undefined,
  state: SendState,
) {
  if (plan.kind === "json" && fault === undefined) {
    res.writeHead(plan.status, {
      ...plan.headers,
      "content-type": JSON_CONTENT_TYPE,
      "content-length": Buffer.byteLength(plan.body),
    });
    res.end(plan.body);
    state.chunksSent = 1;
    return;
  }
  const chunks = plan.kind === "json" ? halves(plan.body) : plan.chunks;
  const status = plan.kind === "json" ? plan.status : 200;
  const contentType = plan.kind === "json" ? JSON_CONTENT_TYPE : plan.contentType;
  const streamHeaders = plan.kind === "stream" ? { "cache-control": "no-cache" } : {};
  res.writeHead(status, { ...plan.headers, ...streamHeaders, "content-type": contentType });
  res.flushHeaders();
  const delay = plan.kind === "stream" ? (plan.chunkDelayMs ?? 0) : 0;
  const limit = fault === undefined ? chunks.length : Math.min(fault.afterChunks, chunks.length);
  for (let i = 0; i < limit; i++) {
    if (i > 0 && delay > 0) await pause(delay, res);
    if (closed(res)) return;
    if (!res.write(chunks[i] ?? "")) await drained(res);
    state.chunksSent++;
  }
  if (fault === undefined) {
    res.end();
  } else if (fault.mode === "end") {
    res.end(fault.tail);
  } else if (fault.mode === "drop") {
    await state.beforeDrop?.();
    if (closed(res)) return;
    state.droppedByFault = true;
    // FIN after the written chunks, without the chunked terminator: the client sees a truncated body.
    const socket = res.socket;
    socket?.end();
    setTimeout(() => socket?.destroy(), 1000).unref();
  }
  // "hang": leave the response open; server.ts records the abort when the client leaves.
}
