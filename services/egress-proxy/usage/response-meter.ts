import { usageFromJsonBody } from "./extract.js";
import { SseSplitter } from "./sse.js";
import { StreamUsage } from "./stream-usage.js";
import type { Usage, WireApi } from "./types.js";

/** Bytes of a JSON body kept whole for metering; past it only a tail window is kept (embeddings put usage last). */
export const JSON_TAP_LIMIT = 16 * 1024 * 1024;
const TAIL_WINDOW = 1024 * 1024;

/**
 * A metering tap on one response. `push(chunk)` returns the chunks to forward downstream: the chunk itself
 * (pass-through, byte for byte) or, when `dropUsageChunk` is set on an OpenAI stream, each complete event
 * except the usage-only chunk the proxy asked for on the client's behalf.
 */
export class ResponseMeter {
  readonly #api: WireApi;
  readonly #sse: boolean;
  readonly #filter: boolean;
  readonly #decoder = new TextDecoder();
  readonly #splitter = new SseSplitter();
  readonly #stream: StreamUsage;
  #json: Buffer[] = [];
  #jsonBytes = 0;
  #jsonOverflow = false;
  /** Bytes relayed to the client (after filtering). */
  relayedBytes = 0;

  constructor(api: WireApi, contentType: string | undefined, dropUsageChunk: boolean) {
    this.#api = api;
    this.#sse = /^text\/event-stream\b/i.test(contentType ?? "");
    this.#filter = this.#sse && dropUsageChunk;
    this.#stream = new StreamUsage(api);
  }

  push(chunk: Buffer): Buffer[] {
    if (!this.#sse) {
      this.#tapJson(chunk);
      this.relayedBytes += chunk.length;
      return [chunk];
    }
    const events = this.#splitter.push(this.#decoder.decode(chunk, { stream: true }));
    if (!this.#filter || this.#splitter.overflowed) {
      for (const e of events) this.#stream.add(e);
      this.relayedBytes += chunk.length;
      return [chunk];
    }
    const out: Buffer[] = [];
    for (const e of events) {
      if (this.#stream.add(e)) continue;
      const buf = Buffer.from(e.raw, "utf8");
      this.relayedBytes += buf.length;
      out.push(buf);
    }
    return out;
  }

  /** Called at the end of the body; returns what is still held back (filter mode only). */
  end(): Buffer[] {
    if (!this.#sse) return [];
    const tail = this.#decoder.decode();
    const held = this.#filter && !this.#splitter.overflowed ? this.#splitter.rest() + tail : "";
    const events = tail ? this.#splitter.push(tail) : [];
    for (const e of [...events, ...this.#splitter.flush()]) this.#stream.add(e);
    if (!held) return [];
    const buf = Buffer.from(held, "utf8");
    this.relayedBytes += buf.length;
    return [buf];
  }

  /** Usage seen so far (a cut stream returns its last snapshot). */
  usage(): Usage | undefined {
    if (this.#sse) return this.#stream.usage;
    return this.#jsonUsage();
  }

  /** True when the body reached its terminal marker (streams) or was complete JSON with usage. */
  get complete(): boolean {
    return this.#sse ? this.#stream.complete : this.#jsonUsage() !== undefined;
  }

  #tapJson(chunk: Buffer): void {
    this.#json.push(chunk);
    this.#jsonBytes += chunk.length;
    if (this.#jsonBytes <= JSON_TAP_LIMIT) return;
    this.#jsonOverflow = true;
    const all = Buffer.concat(this.#json);
    this.#json = [all.subarray(all.length - TAIL_WINDOW)];
    this.#jsonBytes = TAIL_WINDOW;
  }

  #cached: { usage: Usage | undefined } | undefined;
  #jsonUsage(): Usage | undefined {
    if (this.#cached) return this.#cached.usage;
    const text = Buffer.concat(this.#json).toString("utf8");
    let usage: Usage | undefined;
    if (!this.#jsonOverflow) {
      try {
        usage = usageFromJsonBody(this.#api, JSON.parse(text));
      } catch {
        usage = undefined;
      }
    } else {
      usage = usageFromTail(this.#api, text);
    }
    this.#cached = { usage };
    return usage;
  }
}

/** Finds the last `"usage"`/`"usageMetadata"` object in a tail window and reads it. */
function usageFromTail(api: WireApi, text: string): Usage | undefined {
  const key = api === "gemini" ? '"usageMetadata"' : '"usage"';
  const at = text.lastIndexOf(key);
  if (at < 0) return undefined;
  const open = text.indexOf("{", at + key.length);
  if (open < 0) return undefined;
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === "{") depth++;
    else if (c === "}" && --depth === 0) {
      try {
        const value: unknown = JSON.parse(text.slice(open, i + 1));
        return usageFromJsonBody(api, api === "gemini" ? { usageMetadata: value } : { usage: value });
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
