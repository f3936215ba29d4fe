/**
 * Turn a fault answer into what the sender needs: a delay before the first byte, where to cut the stream
 * and how (drop, hang, or an in-band error event), and the answer inside the fault.
 */
import { isFault } from "./answers.js";
import { errorBody } from "./errors.js";
import { type StreamFault, sseFrame } from "./sse.js";
import type { Answer, ErrorAnswer, ProviderName, RecordedRequest, ReplyAnswer } from "./types.js";

export interface Unwrapped {
  delayMs: number;
  fault?: StreamFault;
  inner: ReplyAnswer | ErrorAnswer | undefined;
}

/** The provider's in-band error event, as sent after HTTP 200 once a stream has started. */
export function inBandError(
  provider: ProviderName,
  status: number,
  requestId: string,
  sse: boolean,
  first: boolean,
): string {
  if (provider === "anthropic") {
    const { type, error } = errorBody("anthropic", status, requestId) as { type: string; error: unknown };
    return sseFrame({ type, error }, "error");
  }
  if (provider === "gemini") {
    const body = errorBody("gemini", status, requestId);
    if (sse) return sseFrame(body, undefined, "\r\n");
    return `${first ? "[" : ",\r\n"}${JSON.stringify(body)}]`;
  }
  return sseFrame(errorBody("openai", status, requestId));
}

export function unwrap(answer: Answer | undefined, rec: RecordedRequest): Unwrapped {
  if (answer === undefined || !isFault(answer)) return { delayMs: 0, inner: answer };
  switch (answer.fault) {
    case "slow_first_byte":
      return { delayMs: answer.delayMs, inner: answer.answer };
    case "drop_mid_stream":
      return { delayMs: 0, fault: { afterChunks: answer.afterChunks, mode: "drop" }, inner: answer.answer };
    case "never_end":
      return {
        delayMs: 0,
        fault: { afterChunks: answer.afterChunks ?? 1, mode: "hang" },
        inner: answer.answer,
      };
    case "error_mid_stream": {
      const status = answer.status ?? 500;
      if (!rec.stream) return { delayMs: 0, inner: { error: { status } } };
      const sse = rec.query.alt === "sse";
      const tail = inBandError(
        rec.provider ?? "openai",
        status,
        `req_fake_${rec.id}`,
        sse,
        answer.afterChunks === 0,
      );
      return {
        delayMs: 0,
        fault: { afterChunks: answer.afterChunks, mode: "end", tail },
        inner: answer.answer,
      };
    }
  }
}
