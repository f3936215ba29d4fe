/**
 * Public types of the fake LLM provider. Everything a test or the egress proxy's tests code against is
 * declared here; the wire modules (openai.ts, anthropic.ts, gemini.ts) only turn a `Reply` into bytes.
 */

/** Wire formats the fake speaks. OpenAI-compatible providers use "openai". */
export type ProviderName = "openai" | "anthropic" | "gemini";

/** Queue a scripted answer is pushed onto. "*" serves any chat endpoint whose own queue is empty. */
export type ScriptTarget = ProviderName | "embeddings" | "*";

/**
 * Token counts of one call. `input` is the whole prompt, cache included (OpenAI `prompt_tokens`,
 * Gemini `promptTokenCount`); Anthropic's `input_tokens` is reported as `input - cached - cacheWrite`.
 */
export interface Usage {
  input?: number;
  output?: number;
  /** Prompt tokens read from cache (subset of `input`). */
  cached?: number;
  /** Anthropic only: prompt tokens written to cache (subset of `input`). */
  cacheWrite?: number;
  /** OpenAI wire only: report just `total_tokens` (input + output), as some compatible servers do. */
  totalOnly?: boolean;
}

export interface ToolCall {
  name: string;
  args: Record<string, unknown>;
  /** Defaults to a deterministic id (`call_fake_<req>_<i>` / `toolu_fake_<req>_<i>`). */
  id?: string;
}

/** A successful model turn: plain text. */
export interface TextAnswer {
  text: string;
  usage?: Usage;
  /** Pause between streamed events (default 0). */
  chunkDelayMs?: number;
}

/** A successful model turn that calls tools (optionally with some text before the calls). */
export interface ToolCallsAnswer {
  toolCalls: ToolCall[];
  text?: string;
  usage?: Usage;
  chunkDelayMs?: number;
}

export type ReplyAnswer = TextAnswer | ToolCallsAnswer;

/** An HTTP error. Without `body` the provider's real error shape for that status is sent. */
export interface ErrorAnswer {
  error: { status: number; body?: unknown; headers?: Record<string, string> };
}

/** Wait `delayMs` before the first byte (status line), then answer `answer` (default reply if absent). */
export interface SlowFirstByteFault {
  fault: "slow_first_byte";
  delayMs: number;
  answer?: ReplyAnswer | ErrorAnswer;
}

/** Send the headers and `afterChunks` events (JSON: half the body when > 0), then destroy the socket. */
export interface DropMidStreamFault {
  fault: "drop_mid_stream";
  afterChunks: number;
  answer?: ReplyAnswer;
}

/** Send the headers and `afterChunks` events (default 1), then hang until the client goes away. */
export interface NeverEndFault {
  fault: "never_end";
  afterChunks?: number;
  answer?: ReplyAnswer;
}

/**
 * Streams: send `afterChunks` events, then the provider's in-band error event (OpenAI `data: {"error":…}`,
 * Anthropic `event: error`, Gemini `{"error":…}`) and end the body. Non-streaming requests get the HTTP
 * error `status` instead. Default status 500 (Anthropic's overloaded_error: use 529).
 */
export interface ErrorMidStreamFault {
  fault: "error_mid_stream";
  afterChunks: number;
  status?: number;
  answer?: ReplyAnswer;
}

export type FaultAnswer = SlowFirstByteFault | DropMidStreamFault | NeverEndFault | ErrorMidStreamFault;

export type Answer = ReplyAnswer | ErrorAnswer | FaultAnswer;

/** In-process scripts may also decide from the request (e.g. branch on the tool results sent). */
export type ScriptEntry = Answer | ((request: RecordedRequest) => Answer);

/** Which credential the request carried and where. */
export interface Credential {
  source: "authorization" | "x-api-key" | "x-goog-api-key" | "query-key";
  value: string;
}

export type RouteName =
  | "openai.chat"
  | "openai.embeddings"
  | "openai.models"
  | "anthropic.messages"
  | "anthropic.models"
  | "gemini.generate"
  | "gemini.stream"
  | "gemini.models"
  | "unknown";

export interface RecordedRequest {
  /** 1-based, in arrival order; `reset()` restarts it. */
  id: number;
  provider: ProviderName | null;
  route: RouteName;
  method: string;
  /** Path without the query string, exactly as received. */
  path: string;
  query: Record<string, string>;
  /** Lowercased names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** Raw name/value pairs as sent, original case. */
  rawHeaders: string[];
  /** Raw body (empty when the body exceeded `maxBodyBytes`). */
  body: string;
  bodyBytes: number;
  /** Parsed body, `undefined` when absent or not JSON. */
  json: unknown;
  credential: Credential | null;
  /** Whether the request asked for a streamed answer. */
  stream: boolean;
  receivedAt: number;
  /** Status sent, once the head is written. */
  status?: number;
  /** Kind of scripted answer used: "default" when the queue was empty. */
  answer?: "default" | "text" | "tool_calls" | "error" | FaultAnswer["fault"];
}

/** The client went away before the response was complete. */
export interface AbortEvent {
  requestId: number;
  route: RouteName;
  path: string;
  /** Body chunks (SSE events, array elements or JSON halves) written before the client left. */
  chunksSent: number;
  headersSent: boolean;
  at: number;
}

export interface ExpectedKeys {
  openai?: string;
  anthropic?: string;
  gemini?: string;
}

export interface FakeProviderOptions {
  /** Default 0 (ephemeral). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Wrong or missing key → 401 in the provider's error shape. Unset provider → any key accepted. */
  expectedKeys?: ExpectedKeys;
  /** Default 10 MiB; larger bodies → 413. */
  maxBodyBytes?: number;
  /** Oldest records are dropped beyond this (default 10 000). */
  maxRecorded?: number;
  /** Enable POST /_fake/script, GET /_fake/requests, POST /_fake/reset, GET /_fake/health. */
  control?: boolean;
  /** Listed by GET /v1/models (and the Anthropic/Gemini equivalents). */
  models?: string[];
  /** Clock for `created` fields and records (default Date.now). */
  now?: () => number;
}

export type HoldPoint = "response" | "drop";

export interface FakeProvider {
  /** Base URL, e.g. http://127.0.0.1:41234 (no trailing slash). */
  readonly url: string;
  readonly port: number;
  /** Live array of every request received (control API calls excluded). */
  readonly requests: RecordedRequest[];
  /** Live array of client aborts. */
  readonly aborted: AbortEvent[];
  /** Push answers onto a FIFO queue. Throws a precise error on an invalid answer or a full queue. */
  script(target: ScriptTarget, ...answers: ScriptEntry[]): void;
  /**
   * Sticky answer for `target` when its queue (and "*") is empty; never consumed. `undefined` removes it.
   * E.g. `setDefault("*", { text: "ok", chunkDelayMs: 5 })` for a benchmark. `reset()` clears it.
   */
  setDefault(target: ScriptTarget, answer: ScriptEntry | undefined): void;
  /** Answers still queued for `target` (all queues when omitted). */
  pending(target?: ScriptTarget): number;
  /** Replace the expected keys (e.g. after a key rotation). */
  setExpectedKeys(keys: ExpectedKeys): void;
  /** Clear records, aborts, queues and id counters. */
  reset(): void;
  /**
   * From now on responses wait at `point` until the returned function is called: `"response"`, after
   * the request is recorded and before anything is sent (e.g. keep admitted calls in flight until every
   * request has arrived); `"drop"`, after a `drop_mid_stream` fault's chunks and before the cut (a
   * client's stream discards chunks it has not handed out yet when the error arrives, so chunks and cut
   * in one TCP read could show as 0 chunks). Replaces timing guesses such as a long `slow_first_byte`.
   */
  hold(point: HoldPoint): () => void;
  /** Resolve once at least `count` requests were recorded; reject after `timeoutMs` (default 5000). */
  waitForRequests(count: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  /** Resolve once at least `count` client aborts were recorded; reject after `timeoutMs` (default 5000). */
  waitForAborts(count: number, timeoutMs?: number): Promise<AbortEvent[]>;
  /** Stop listening and destroy open connections (hanging responses included). */
  close(): Promise<void>;
}
