import { downstreamHeaders } from "../http/headers.js";
import { ResponseMeter } from "../usage/response-meter.js";
import type { ProxyContext } from "./context.js";
import { decorate, type Step } from "./types.js";

/** Taps the response for usage; forwards every chunk unchanged (or, for an injected include_usage, minus the usage chunk). */
export const meterStep =
  (_ctx: ProxyContext): Step =>
  (next) =>
  (call, handler) => {
    const api = call.provider?.api;
    if (!api) {
      next(call, handler);
      return;
    }
    next(
      call,
      decorate(handler, {
        onResponseStart: (status, headers) => {
          call.status = status;
          const filter = Boolean(call.facts?.injectUsage) && status >= 200 && status < 300;
          const contentType = Array.isArray(headers["content-type"])
            ? headers["content-type"][0]
            : headers["content-type"];
          call.meter = new ResponseMeter(api, contentType, filter);
          handler.onResponseStart(
            status,
            filter ? (downstreamHeaders(headers, true) as typeof headers) : headers,
          );
        },
        onResponseData: (chunk) => {
          for (const out of call.meter?.push(chunk) ?? [chunk]) handler.onResponseData(out);
        },
        onResponseEnd: () => {
          for (const out of call.meter?.end() ?? []) handler.onResponseData(out);
          handler.onResponseEnd();
        },
      }),
    );
  };
