import type { IncomingHttpHeaders } from "node:http";
import { ProxyErrors } from "../errors.js";
import { contextOverflowMessage } from "../http/provider-errors.js";
import { decorate, type Step } from "./types.js";

/** Provider error bodies are small; a larger 4xx body is passed through unread. */
const MAX_HELD_BYTES = 64 * 1024;

const isJson = (headers: IncomingHttpHeaders): boolean => {
  const type = headers["content-type"];
  return (Array.isArray(type) ? type[0] : type)?.includes("json") ?? false;
};

const parseJson = (bytes: Buffer): unknown => {
  try {
    return JSON.parse(bytes.toString("utf8"));
  } catch {
    return undefined;
  }
};

/**
 * Holds a provider's 4xx JSON answer until it ends; when it is a context overflow, reports
 * ProxyErrors.contextOverflow on the one error path instead (so the agent reads our code, never the
 * provider's message). Any other answer is forwarded byte for byte with its own headers.
 */
export const overflowStep: Step = (next) => (call, handler) => {
  const provider = call.provider;
  if (!provider) {
    next(call, handler);
    return;
  }
  let held: { status: number; headers: IncomingHttpHeaders; chunks: Buffer[]; bytes: number } | undefined;
  const release = () => {
    if (!held) return;
    const { status, headers, chunks } = held;
    held = undefined;
    handler.onResponseStart(status, headers);
    for (const chunk of chunks) handler.onResponseData(chunk);
  };
  next(
    call,
    decorate(handler, {
      onResponseStart: (status, headers) => {
        if (status >= 400 && status < 500 && isJson(headers))
          held = { status, headers, chunks: [], bytes: 0 };
        else handler.onResponseStart(status, headers);
      },
      onResponseData: (chunk) => {
        if (!held) return handler.onResponseData(chunk);
        held.chunks.push(chunk);
        held.bytes += chunk.length;
        if (held.bytes > MAX_HELD_BYTES) release();
      },
      onResponseEnd: () => {
        if (held) {
          const message = contextOverflowMessage(provider.api, parseJson(Buffer.concat(held.chunks)));
          if (message !== undefined) {
            call.status = held.status;
            held = undefined;
            handler.onError(ProxyErrors.contextOverflow(provider.name, message));
            return;
          }
          release();
        }
        handler.onResponseEnd();
      },
      onError: (error) => {
        held = undefined;
        handler.onError(error);
      },
    }),
  );
};
