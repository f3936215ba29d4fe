import { anthropicUsage, geminiUsage, openAiUsage } from "./extract.js";
import type { SseEvent } from "./sse.js";
import type { Usage, WireApi } from "./types.js";

/**
 * Folds SSE events into usage, per wire format (research/gateway.md §1):
 * OpenAI: the last non-null `usage` on any chunk (Responses: `response.usage` on the terminal event);
 * Anthropic: message_start usage, then every message_delta OVERWRITES the fields it carries (cumulative);
 * Gemini: the last usageMetadata snapshot (cumulative; never summed).
 * Events are prefiltered by substring before JSON.parse, so content chunks cost an indexOf or two: OpenAI
 * chunks carrying `"usage":null` are skipped, and Gemini's per-chunk snapshots are parsed once, lazily, for
 * the last one only (an unparsable last snapshot leaves the usage unknown: the call is settled as estimated).
 */
export class StreamUsage {
  readonly #api: WireApi;
  #usage: Usage | undefined;
  #anthropicRaw: Record<string, unknown> | undefined;
  /** Gemini: the data of the last event that carried usageMetadata, parsed when usage is read. */
  #geminiLast: string | undefined;
  /** True once the stream's terminal marker arrived ([DONE], message_stop, finishReason, response.completed). */
  complete = false;

  constructor(api: WireApi) {
    this.#api = api;
  }

  get usage(): Usage | undefined {
    if (this.#geminiLast !== undefined) {
      const parsed = parse(this.#geminiLast);
      this.#geminiLast = undefined;
      const u = parsed ? geminiUsage(parsed.usageMetadata) : undefined;
      if (u) this.#usage = u;
    }
    return this.#usage;
  }

  /** Folds one event; returns true when it is an OpenAI usage-only chunk (`choices: []` + usage). */
  add(event: SseEvent): boolean {
    const data = event.data;
    if (this.#api === "anthropic") {
      if (data.includes('"message_stop"')) this.complete = true;
      if (data.includes('"message_start"') || data.includes('"message_delta"')) this.#anthropic(data);
      return false;
    }
    if (this.#api === "gemini") {
      if (data.includes('"finishReason"')) this.complete = true;
      if (data.includes('"usageMetadata"')) this.#geminiLast = data;
      return false;
    }
    if (data === "[DONE]") {
      this.complete = true;
      return false;
    }
    const at = data.indexOf('"usage"');
    if (at < 0) return false;
    // Chat chunks repeat `"usage":null` until the usage chunk; Responses events are parsed for their type.
    USAGE_OBJECT.lastIndex = at;
    if (!USAGE_OBJECT.test(data) && !data.includes('"type":"response.')) return false;
    const parsed = parse(data);
    if (!parsed) return false;
    const response = parsed.response;
    if (typeof parsed.type === "string" && parsed.type.startsWith("response.") && isObject(response)) {
      const u = openAiUsage(response.usage);
      if (u) this.#usage = u;
      if (/^response\.(completed|incomplete|failed)$/.test(parsed.type)) this.complete = true;
      return false;
    }
    const u = openAiUsage(parsed.usage);
    if (!u) return false;
    this.#usage = u;
    return Array.isArray(parsed.choices) && parsed.choices.length === 0;
  }

  #anthropic(data: string): void {
    const parsed = parse(data);
    if (!parsed) return;
    if (parsed.type === "message_start" && isObject(parsed.message) && isObject(parsed.message.usage)) {
      this.#anthropicRaw = { ...parsed.message.usage };
    } else if (parsed.type === "message_delta" && isObject(parsed.usage)) {
      this.#anthropicRaw = { ...(this.#anthropicRaw ?? {}), ...stripNull(parsed.usage) };
    } else {
      return;
    }
    const u = anthropicUsage(this.#anthropicRaw);
    if (u) this.#usage = u;
  }
}

/** Sticky: matched at the position of the first `"usage"` key. */
const USAGE_OBJECT = /"usage"\s*:\s*\{/y;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function stripNull(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined));
}

function parse(data: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(data);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
