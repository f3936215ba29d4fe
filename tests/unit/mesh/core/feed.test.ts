import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { FeedHub } from "../../../../services/mesh/modules/blackboard/feed.js";

/** A socket-like sink that accepts `accept` writes, then reports back-pressure until drained by hand. */
class SlowSink extends Writable {
  readonly frames: string[] = [];
  readonly #pending: (() => void)[] = [];
  constructor() {
    super({ highWaterMark: 1, decodeStrings: false });
  }
  override _write(chunk: string, _enc: BufferEncoding, cb: () => void): void {
    this.frames.push(String(chunk));
    this.#pending.push(cb);
  }
  release(): void {
    for (const cb of this.#pending.splice(0)) cb();
  }
}

const change = (n: number) => ({ key: `context/k${n}`, version: n, op: "put" as const, by: "a", at: n });

describe("operator feed queue", () => {
  it("queues behind back-pressure, then flushes in order on drain", async () => {
    const hub = new FeedHub(4, 10);
    const sink = new SlowSink();
    const feed = hub.open(sink, "context/");
    for (let n = 1; n <= 5; n++) hub.publish(change(n));
    expect(sink.frames).toHaveLength(1);
    expect(feed.queued).toBe(4);
    for (let i = 0; i < 5; i++) {
      sink.release();
      await new Promise((r) => setImmediate(r));
    }
    expect(sink.frames.map((f) => JSON.parse(f.split("data: ")[1] ?? "{}").version)).toEqual([1, 2, 3, 4, 5]);
    expect(feed.queued).toBe(0);
  });

  it("ends a reader that falls more than the queue limit behind with an overflow event", async () => {
    const hub = new FeedHub(4, 3);
    const sink = new SlowSink();
    const feed = hub.open(sink, "");
    for (let n = 1; n <= 10; n++) hub.publish(change(n));
    expect(feed.closed).toBe(true);
    expect(hub.size).toBe(0);
    expect(feed.queued).toBe(0);
    for (let i = 0; i < 5; i++) {
      sink.release();
      await new Promise((r) => setImmediate(r));
    }
    // The first frame went out, the overflow notice follows, and the stream ended.
    expect(sink.frames).toHaveLength(2);
    expect(sink.frames[1]).toMatch(/^event: overflow\n/);
    expect(sink.writableEnded).toBe(true);
  });

  it("only sends changes under the feed's prefix", () => {
    const hub = new FeedHub(4, 3);
    const sink = new SlowSink();
    hub.open(sink, "tasks/");
    hub.publish(change(1));
    expect(sink.frames).toHaveLength(0);
  });
});
