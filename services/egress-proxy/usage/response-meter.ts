import { usageFromJsonBody } from "./extract.js";
import { SseSplitter } from "./sse.js";
import { chunkMayMatter, endsAtEventBoundary } from "./sse-skip.js";
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
/** Per-stream parsing state, allocated only for event streams. */
interface SseTap {
  decoder: InstanceType<typeof TextDecoder>;
  splitter: SseSplitter;
  stream: StreamUsage;
  /** Drop the OpenAI usage-only chunk the proxy asked for on the client's behalf. */
  filter: boolean;
}

export class ResponseMeter {
  readonly #api: WireApi;
  readonly #sse: SseTap | undefined;
  #json: Buffer[] = [];
  #jsonBytes = 0;
  #jsonOverflow = false;
  /** Bytes relayed to the client (after filtering). */
  relayedBytes = 0;

  constructor(api: WireApi, contentType: string | undefined, dropUsageChunk: boolean) {
    this.#api = api;
    this.#sse = /^text\/event-stream\b/i.test(contentType ?? "")
      ? {
          decoder: new TextDecoder(),
          splitter: new SseSplitter(),
          stream: new StreamUsage(api),
          filter: dropUsageChunk,
        }
      : undefined;
  }

  push(chunk: Buffer): Buffer[] {
    const sse = this.#sse;
    if (!sse) {
      this.#tapJson(chunk);
      this.relayedBytes += chunk.length;
      return [chunk];
    }
    const heldBefore = sse.splitter.rest() !== "";
    // Fast path: whole events with nothing usage-related in them pass without decoding.
    if (
      !heldBefore &&
      !sse.splitter.overflowed &&
      endsAtEventBoundary(chunk) &&
      !chunkMayMatter(this.#api, chunk)
    ) {
      this.relayedBytes += chunk.length;
      return [chunk];
    }
    const events = sse.splitter.push(sse.decoder.decode(chunk, { stream: true }));
    if (!sse.filter || sse.splitter.overflowed) {
      for (const e of events) sse.stream.add(e);
      this.relayedBytes += chunk.length;
      return [chunk];
    }
    // Common case: the chunk holds whole events only (nothing held before or after it, and it ends in ASCII
    // so the decoder holds no partial character) and none is the usage chunk: forward the upstream bytes as
    // they are instead of re-encoding each event.
    const drop = events.map((e) => sse.stream.add(e));
    const whole = !heldBefore && sse.splitter.rest() === "" && (chunk.at(-1) ?? 0) < 0x80;
    if (whole && !drop.includes(true)) {
      this.relayedBytes += chunk.length;
      return [chunk];
    }
    const out: Buffer[] = [];
    for (const [i, e] of events.entries()) {
      if (drop[i]) continue;
      const buf = Buffer.from(e.raw, "utf8");
      this.relayedBytes += buf.length;
      out.push(buf);
    }
    return out;
  }

  /** Called at the end of the body; returns what is still held back (filter mode only). */
  end(): Buffer[] {
    const sse = this.#sse;
    if (!sse) return [];
    const tail = sse.decoder.decode();
    const held = sse.filter && !sse.splitter.overflowed ? sse.splitter.rest() + tail : "";
    const events = tail ? sse.splitter.push(tail) : [];
    for (const e of [...events, ...sse.splitter.flush()]) sse.stream.add(e);
    if (!held) return [];
    const buf = Buffer.from(held, "utf8");
    this.relayedBytes += buf.length;
    return [buf];
  }

  /** Usage seen so far (a cut stream returns its last snapshot). */
  usage(): Usage | undefined {
    return this.#sse ? this.#sse.stream.usage : this.#jsonUsage();
  }

  /** True when the body reached its terminal marker (streams) or was complete JSON with usage. */
  get complete(): boolean {
    return this.#sse ? this.#sse.stream.complete : this.#jsonUsage() !== undefined;
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
