import { RetryAfter } from "./types.js";

export interface PacerOptions {
  minIntervalMs: number;
  /** Sends waiting per destination before new ones are refused (a bound on memory). */
  maxQueued: number;
  /** Retries of one send after platform 429s before it is dropped. */
  maxRetries: number;
  /** Longest retry-after honoured; a longer one drops the send rather than stalling the chat. */
  maxRetryAfterS: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Outbound pacing: sends to one destination run strictly in order, at least `minIntervalMs` apart, and
 * a platform 429 (RetryAfter) pauses that destination for the time the platform asked before the same
 * chunk is sent again, so later chunks wait for it. Different destinations do not wait for each other.
 */
export class Pacer {
  readonly #tails = new Map<string, { tail: Promise<void>; queued: number; lastAt: number }>();
  readonly #last = new Map<string, number>();
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #now: () => number;

  constructor(private readonly o: PacerOptions) {
    this.#sleep = o.sleep ?? defaultSleep;
    this.#now = o.now ?? Date.now;
  }

  /** Queues `send` for `dest`; resolves when it was sent, rejects when it failed or was refused. */
  run(dest: string, send: () => Promise<void>): Promise<void> {
    const lane = this.#tails.get(dest) ?? {
      tail: Promise.resolve(),
      queued: 0,
      lastAt: this.#last.get(dest) ?? 0,
    };
    if (lane.queued >= this.o.maxQueued)
      return Promise.reject(new Error(`more than ${this.o.maxQueued} messages queued for one chat`));
    lane.queued++;
    const done = lane.tail.then(() => this.#attempt(lane, send));
    lane.tail = done
      .catch(() => {})
      .finally(() => {
        lane.queued--;
        if (lane.queued > 0) return;
        this.#tails.delete(dest);
        // Remember when the idle destination last sent, so its next message still keeps the spacing.
        this.#last.delete(dest);
        this.#last.set(dest, lane.lastAt);
        if (this.#last.size > 10_000) this.#last.delete(this.#last.keys().next().value as string);
      });
    this.#tails.set(dest, lane);
    return done;
  }

  async #attempt(lane: { lastAt: number }, send: () => Promise<void>): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const wait = lane.lastAt + this.o.minIntervalMs - this.#now();
      if (wait > 0) await this.#sleep(wait);
      try {
        await send();
        lane.lastAt = this.#now();
        return;
      } catch (error) {
        lane.lastAt = this.#now();
        if (!(error instanceof RetryAfter) || attempt >= this.o.maxRetries) throw error;
        if (error.seconds > this.o.maxRetryAfterS) throw error;
        await this.#sleep(error.seconds * 1000);
      }
    }
  }
}
