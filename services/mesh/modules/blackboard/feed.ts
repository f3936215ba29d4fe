import type { Writable } from "node:stream";
import { sseFrame } from "../../../common/sse.js";

/** One committed blackboard change, as streamed on the operator's `GET /v1/watch` feed. */
export interface ChangeEvent {
  key: string;
  version: number;
  op: "put" | "delete" | "expire";
  by: string;
  at: number;
}

/**
 * One feed connection with a bounded queue. Frames go straight to the socket while it accepts them;
 * once `write` reports back-pressure they queue until `drain`. A client that falls `maxQueue` frames
 * behind gets a final `overflow` event and the stream ends (it re-lists and reconnects): the mesh
 * never buffers without bound for a slow reader.
 */
export class FeedConnection {
  readonly prefix: string;
  readonly #out: Writable;
  readonly #maxQueue: number;
  readonly #queue: string[] = [];
  #blocked = false;
  #closed = false;
  readonly #onClose: () => void;

  constructor(out: Writable, prefix: string, maxQueue: number, onClose: () => void) {
    this.#out = out;
    this.prefix = prefix;
    this.#maxQueue = maxQueue;
    this.#onClose = onClose;
    out.on("drain", () => this.#drain());
  }

  get queued(): number {
    return this.#queue.length;
  }

  get closed(): boolean {
    return this.#closed;
  }

  send(frame: string): void {
    if (this.#closed) return;
    if (this.#blocked) {
      if (this.#queue.length >= this.#maxQueue) this.#overflow();
      else this.#queue.push(frame);
      return;
    }
    if (!this.#out.write(frame)) this.#blocked = true;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue.length = 0;
    this.#onClose();
    this.#out.end();
  }

  #drain(): void {
    this.#blocked = false;
    while (!this.#closed && !this.#blocked && this.#queue.length > 0) {
      if (!this.#out.write(this.#queue.shift() as string)) this.#blocked = true;
    }
  }

  #overflow(): void {
    const dropped = this.#queue.length + 1;
    this.#queue.length = 0;
    this.#out.write(
      sseFrame("overflow", { dropped, message: "feed reader too slow; re-list and reconnect" }),
    );
    this.close();
  }
}

/** Fans committed changes out to the open feeds whose prefix matches; at most `maxFeeds` at once. */
export class FeedHub {
  readonly #feeds = new Set<FeedConnection>();
  readonly #listeners: ((event: ChangeEvent) => void)[] = [];
  readonly maxFeeds: number;
  readonly maxQueue: number;

  constructor(maxFeeds: number, maxQueue: number) {
    this.maxFeeds = maxFeeds;
    this.maxQueue = maxQueue;
  }

  get size(): number {
    return this.#feeds.size;
  }

  open(out: Writable, prefix: string): FeedConnection {
    const feed = new FeedConnection(out, prefix, this.maxQueue, () => this.#feeds.delete(feed));
    this.#feeds.add(feed);
    return feed;
  }

  /** In-process readers of every change (the dashboard's event feed); they must not throw. */
  listen(listener: (event: ChangeEvent) => void): void {
    this.#listeners.push(listener);
  }

  publish(event: ChangeEvent): void {
    for (const l of this.#listeners) l(event);
    if (this.#feeds.size === 0) return;
    let frame: string | undefined;
    for (const feed of this.#feeds) {
      if (!event.key.startsWith(feed.prefix)) continue;
      frame ??= sseFrame("change", event);
      feed.send(frame);
    }
  }

  closeAll(): void {
    for (const feed of [...this.#feeds]) feed.close();
  }
}
