/**
 * Per-agent token bucket (pure state + a clock reading passed in). `take` answers either 0 (allowed)
 * or the seconds to wait, for the `retry-after` header.
 */
export class TokenBuckets {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  readonly ratePerS: number;
  readonly burst: number;

  constructor(ratePerS: number, burst: number) {
    this.ratePerS = ratePerS;
    this.burst = burst;
  }

  take(id: string, nowMs: number): number {
    const b = this.#buckets.get(id) ?? { tokens: this.burst, at: nowMs };
    const elapsed = Math.max(0, nowMs - b.at) / 1000;
    b.tokens = Math.min(this.burst, b.tokens + elapsed * this.ratePerS);
    b.at = nowMs;
    this.#buckets.set(id, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / this.ratePerS));
  }
}
