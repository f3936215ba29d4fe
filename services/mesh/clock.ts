/** Injected time source (ms since epoch). Tests pass a settable clock; main passes Date.now. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export class ManualClock implements Clock {
  private at: number;
  constructor(at = Date.UTC(2025, 0, 1)) {
    this.at = at;
  }
  now(): number {
    return this.at;
  }
  advance(ms: number): void {
    this.at += ms;
  }
}
