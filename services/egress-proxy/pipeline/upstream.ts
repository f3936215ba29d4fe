import type { IncomingHttpHeaders } from "node:http";
import type { Dispatcher } from "undici";
import { isOlError } from "../../common/errors.js";
import { ProxyErrors } from "../errors.js";
import type { Dispatch } from "./types.js";

const TIMEOUT_CODES = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "UND_ERR_CONNECT_TIMEOUT"]);

/**
 * The terminal step: sends `call.upstream` with undici's low-level dispatch (research/gateway.md §4: fastest,
 * and an abort reaches the upstream socket). Wire errors become OlErrors whose messages name only the target
 * origin and the failure class, never a header (the injected key lives in the headers).
 */
export const upstreamDispatch =
  (dispatcher: Dispatcher, timeouts: { headersTimeout: number; bodyTimeout: number }): Dispatch =>
  (call, handler) => {
    const upstream = call.upstream;
    if (!upstream) {
      handler.onError(ProxyErrors.upstreamFailed(call.target, "no upstream request was built"));
      return;
    }
    const target = upstream.origin;
    let done = false;
    const fail = (error: Error) => {
      if (done) return;
      done = true;
      handler.onError(error);
    };
    if (call.clientAborted) {
      fail(new Error("client disconnected"));
      return;
    }
    dispatcher.dispatch(
      {
        origin: upstream.origin,
        path: upstream.path,
        method: upstream.method as Dispatcher.HttpMethod,
        headers: upstream.headers,
        body: upstream.body,
        headersTimeout: timeouts.headersTimeout,
        bodyTimeout: timeouts.bodyTimeout,
      },
      {
        onRequestStart(controller) {
          call.abortUpstream = (reason) => controller.abort(reason);
          call.pauseUpstream = () => controller.pause();
          call.resumeUpstream = () => controller.resume();
          if (call.clientAborted) controller.abort(new Error("client disconnected"));
        },
        onResponseStart(_controller, statusCode, headers) {
          if (done) return;
          handler.onResponseStart(statusCode, headers as IncomingHttpHeaders);
        },
        onResponseData(_controller, chunk) {
          if (!done) handler.onResponseData(chunk);
        },
        onResponseEnd() {
          if (done) return;
          done = true;
          handler.onResponseEnd();
        },
        onResponseError(_controller, error) {
          if (call.clientAborted) {
            fail(new Error("client disconnected"));
            return;
          }
          if (isOlError(error)) {
            fail(error);
            return;
          }
          const code = (error as NodeJS.ErrnoException).code ?? "";
          if (TIMEOUT_CODES.has(code)) {
            call.upstreamFailure = "timeout";
            fail(
              ProxyErrors.upstreamTimeout(
                target,
                code === "UND_ERR_HEADERS_TIMEOUT"
                  ? "response headers"
                  : code === "UND_ERR_BODY_TIMEOUT"
                    ? "the next body chunk"
                    : "the connection",
              ),
            );
            return;
          }
          call.upstreamFailure = "connection";
          fail(ProxyErrors.upstreamFailed(target, code ? `connection error ${code}` : "connection error"));
        },
      },
    );
  };
