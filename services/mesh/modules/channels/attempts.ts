/**
 * Failed attempts per key in a sliding window (wrong pairing codes per user and per channel): pure,
 * bounded (at most `maxKeys` keys, the oldest forgotten first, and `limit` timestamps per key).
 */
export class AttemptLimiter {
  readonly #failures = new Map<string, number[]>();

  constructor(private readonly o: { limit: number; windowMs: number; maxKeys: number }) {}

  #recent(key: string, now: number): number[] {
    return (this.#failures.get(key) ?? []).filter((t) => now - t < this.o.windowMs);
  }

  /** Milliseconds until `key` may try again, or 0 when it may now. */
  waitMs(key: string, now: number): number {
    const recent = this.#recent(key, now);
    if (recent.length < this.o.limit) return 0;
    return this.o.windowMs - (now - recent[recent.length - this.o.limit]!);
  }

  fail(key: string, now: number): void {
    const recent = [...this.#recent(key, now), now].slice(-this.o.limit);
    this.#failures.delete(key);
    this.#failures.set(key, recent);
    if (this.#failures.size > this.o.maxKeys)
      this.#failures.delete(this.#failures.keys().next().value as string);
  }
}
