import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import type { ResolvedAgent, ResolvedApi, ResolvedProvider } from "../config.js";
import type { RequestFacts } from "../usage/request.js";
import type { ResponseMeter } from "../usage/response-meter.js";
import type { Endpoint } from "./endpoints.js";

/**
 * One proxied call flowing through the pipeline. Steps fill it in order; the terminal step sends
 * `upstream` with undici. Nothing here is ever serialized to a client or a log as a whole.
 */
export interface Call {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly startedAt: number;
  readonly door: "llm" | "api";
  /** `provider` or `api` name from the URL, and the rest of the path after it (no leading slash). */
  readonly target: string;
  readonly rest: string;
  readonly search: URLSearchParams;
  agent?: ResolvedAgent;
  provider?: ResolvedProvider;
  api?: ResolvedApi;
  body?: Buffer;
  facts?: RequestFacts;
  /** What the LLM door classified the path as (inference, models list, or an endpoint granted in mesh.yaml). */
  endpoint?: Endpoint;
  /** Provider-side tools the request declares (already checked against the agent's grants). */
  serverTools?: string[];
  /** Calls of each server tool reserved and charged (the request's max_tool_calls or TOOL_CALLS_RESERVED). */
  serverToolCalls?: number;
  /** `provider/model` as checked against the allowlist (LLM door only). */
  model?: string;
  reservationId?: number;
  reserveNusd?: number;
  upstream?: {
    origin: string;
    path: string;
    method: string;
    headers: Record<string, string>;
    body: Buffer | null;
  };
  meter?: ResponseMeter;
  status?: number;
  /** Set by the terminal step when undici failed on the wire (used by health, never shown to clients). */
  upstreamFailure?: "timeout" | "connection";
  clientAborted: boolean;
  /** Aborts the upstream request (set by the terminal step once dispatched). */
  abortUpstream?: (reason: Error) => void;
  pauseUpstream?: () => void;
  resumeUpstream?: () => void;
}

/** The downstream half: how a step hears about the response (undici's handler shape, minus the controller). */
export interface CallHandler {
  onResponseStart(status: number, headers: IncomingHttpHeaders): void;
  onResponseData(chunk: Buffer): void;
  onResponseEnd(): void;
  /** The one error path: a failing step calls this and never also throws. */
  onError(error: Error): void;
}

export type Dispatch = (call: Call, handler: CallHandler) => void;
export type Step = (next: Dispatch) => Dispatch;

/** compose(a, b, c)(terminal) = a(b(c(terminal))): `a` sees the request first and the response last. */
export const compose =
  (...steps: Step[]) =>
  (terminal: Dispatch): Dispatch =>
    steps.reduceRight((next, step) => step(next), terminal);

/** Decorates only the callbacks given; the rest pass through. */
export function decorate(handler: CallHandler, overrides: Partial<CallHandler>): CallHandler {
  return {
    onResponseStart: overrides.onResponseStart ?? ((s, h) => handler.onResponseStart(s, h)),
    onResponseData: overrides.onResponseData ?? ((c) => handler.onResponseData(c)),
    onResponseEnd: overrides.onResponseEnd ?? (() => handler.onResponseEnd()),
    onError: overrides.onError ?? ((e) => handler.onError(e)),
  };
}
