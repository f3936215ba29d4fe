import { type Dispatcher, request } from "undici";
import {
  type CallArgs,
  type EventOf,
  errorReplySchema,
  pathOf,
  queryString,
  type ReplyOf,
  type RouteContract,
} from "../contracts/contract.js";
import { OlError } from "../errors.js";
import { SseParser } from "../sse.js";
import { readCapped } from "./read-capped.js";

/** How a binding turns failures into its own errors (each caller has its codes and exit statuses). */
export interface ClientErrors {
  /** No answer: connection refused, reset or timed out. */
  unreachable(url: string, cause: unknown): OlError;
  /** An answer the contract does not describe (not JSON, wrong shape, too large). */
  badReply(message: string): OlError;
  /** A non-2xx answer. Default: an OlError with the server's code, message and status. */
  refused?(status: number, code: string, message: string): OlError;
}

export interface ApiClientOptions {
  /** e.g. `http://mesh:8420` (a trailing slash is ignored). */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token: string;
  errors: ClientErrors;
  dispatcher?: Dispatcher;
  /** Per call (headers and body); 0 = no timeout of our own. Default 30 s. */
  timeoutMs?: number;
  /** Replies (a whole SSE stream included) larger than this fail. Default 8 MiB. */
  maxReplyBytes?: number;
}

export interface CallOptions {
  signal?: AbortSignal | undefined;
  timeoutMs?: number;
}

type JsonContract = RouteContract & { response: Readonly<Record<number, unknown>> };
type StreamContract = RouteContract & { events: NonNullable<RouteContract["events"]> };

/**
 * The one typed client of every HTTP API in services/common/contracts: `call(contract, {params, query,
 * body})` sends the request the contract describes and parses the reply with the schema declared for
 * its status; `events(...)` reads a `text/event-stream` reply as typed events.
 */
export class ApiClient {
  readonly url: string;
  readonly #o: ApiClientOptions;

  constructor(options: ApiClientOptions) {
    this.url = options.baseUrl.replace(/\/+$/, "");
    this.#o = options;
  }

  async call<C extends JsonContract>(
    contract: C,
    args: CallArgs<C>,
    o: CallOptions = {},
  ): Promise<ReplyOf<C>> {
    const res = await this.#send(contract, args, "application/json", o);
    if (res.statusCode < 200 || res.statusCode >= 300) throw await this.#refusal(res);
    return this.#parse(contract, res);
  }

  /** Like `call`, but a 404 answers undefined (e.g. a queued workflow run that has not started yet). */
  async find<C extends JsonContract>(
    contract: C,
    args: CallArgs<C>,
    o: CallOptions = {},
  ): Promise<ReplyOf<C> | undefined> {
    const res = await this.#send(contract, args, "application/json", o);
    if (res.statusCode === 404) {
      await res.body.dump();
      return undefined;
    }
    if (res.statusCode < 200 || res.statusCode >= 300) throw await this.#refusal(res);
    return this.#parse(contract, res);
  }

  /** The events of a streamed reply, in order; frames the contract does not describe are skipped. */
  async *events<C extends StreamContract>(
    contract: C,
    args: CallArgs<C>,
    o: CallOptions = {},
  ): AsyncGenerator<EventOf<C>, void, undefined> {
    const res = await this.#send(contract, args, "text/event-stream", o);
    if (res.statusCode !== 200) throw await this.#refusal(res);
    const reader = new SseParser();
    let bytes = 0;
    try {
      for await (const chunk of res.body) {
        const text = Buffer.isBuffer(chunk) ? chunk.toString("utf8") : String(chunk);
        bytes += text.length;
        if (bytes > this.#maxBytes)
          throw this.#o.errors.badReply(
            `${this.#what(contract)}: stream larger than ${this.#maxBytes} bytes`,
          );
        for (const frame of reader.push(text)) {
          const ev = contract.events.safeParse(parseJson(frame.data));
          if (ev.success) yield ev.data as EventOf<C>;
        }
      }
    } finally {
      res.body.destroy();
    }
  }

  async close(): Promise<void> {
    await this.#o.dispatcher?.close();
  }

  get #maxBytes(): number {
    return this.#o.maxReplyBytes ?? 8 * 1024 * 1024;
  }

  #what(contract: RouteContract): string {
    return `${contract.method} ${contract.path}`;
  }

  async #send(
    contract: RouteContract,
    args: { params?: unknown; query?: unknown; body?: unknown },
    accept: string,
    o: CallOptions,
  ): Promise<Dispatcher.ResponseData> {
    const path = pathOf(contract, args.params as Record<string, unknown> | undefined);
    const url = `${this.url}${path}${queryString(args.query as Record<string, unknown> | undefined)}`;
    const timeoutMs = o.timeoutMs ?? this.#o.timeoutMs ?? 30_000;
    const signals = [o.signal, timeoutMs > 0 ? AbortSignal.timeout(timeoutMs) : undefined].filter(
      (s): s is AbortSignal => s !== undefined,
    );
    const headers: Record<string, string> = { authorization: `Bearer ${this.#o.token}`, accept };
    if (args.body !== undefined) headers["content-type"] = "application/json";
    try {
      return await request(url, {
        method: contract.method,
        headers,
        ...(args.body === undefined ? {} : { body: JSON.stringify(args.body) }),
        ...(this.#o.dispatcher ? { dispatcher: this.#o.dispatcher } : {}),
        ...(signals.length ? { signal: AbortSignal.any(signals) } : {}),
        // Inactivity limits; the whole call is bounded by the signal above (when timeoutMs > 0).
        headersTimeout: timeoutMs || 600_000,
        bodyTimeout: timeoutMs || 600_000,
      });
    } catch (error) {
      if (o.signal?.aborted) throw error;
      throw this.#o.errors.unreachable(this.url, error);
    }
  }

  async #parse<C extends JsonContract>(contract: C, res: Dispatcher.ResponseData): Promise<ReplyOf<C>> {
    const schema = contract.response[res.statusCode] as RouteContract["events"];
    const text = await this.#read(res);
    if (!schema)
      throw this.#o.errors.badReply(`${this.#what(contract)}: unexpected status ${res.statusCode}`);
    const parsed = schema.safeParse(parseJson(text));
    if (!parsed.success)
      throw this.#o.errors.badReply(
        `${this.#what(contract)}: unexpected reply (${parsed.error.issues[0]?.message ?? "not JSON"})`,
      );
    return parsed.data as ReplyOf<C>;
  }

  async #refusal(res: Dispatcher.ResponseData): Promise<OlError> {
    const text = await this.#read(res).catch(() => "");
    const body = errorReplySchema.safeParse(parseJson(text));
    const code = body.success ? body.data.code : `HTTP_${res.statusCode}`;
    const message = body.success ? body.data.message : text.slice(0, 300);
    return this.#o.errors.refused
      ? this.#o.errors.refused(res.statusCode, code, message)
      : new OlError(code, message, res.statusCode);
  }

  #read(res: Dispatcher.ResponseData): Promise<string> {
    return readCapped(res.body, this.#maxBytes).catch((error: unknown) => {
      throw this.#o.errors.badReply(error instanceof Error ? error.message : String(error));
    });
  }
}

/** JSON.parse that answers undefined for text that is not JSON (schemas then reject it). */
function parseJson(text: string): unknown {
  try {
    return text.length ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}
