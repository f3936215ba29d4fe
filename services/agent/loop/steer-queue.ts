/**
 * Messages that arrive while a run is in progress (the mesh's `steer` lane). They are drained at the
 * next step boundary, after the current tool batch has finished, and appended as user messages before
 * the next model call. Bounded: beyond `cap` the oldest are folded into one summary line, never lost
 * silently.
 */
export const STEER_CAP = 20;
export const STEER_MAX_CHARS = 20_000;

export class SteerQueue {
  readonly #items: string[] = [];
  #dropped = 0;

  push(text: string): void {
    this.#items.push(text.length > STEER_MAX_CHARS ? `${text.slice(0, STEER_MAX_CHARS)} […]` : text);
    while (this.#items.length > STEER_CAP) {
      this.#items.shift();
      this.#dropped++;
    }
  }

  get length(): number {
    return this.#items.length;
  }

  /** Takes everything queued, oldest first; a note about dropped messages comes first. */
  drain(): string[] {
    const out = this.#items.splice(0);
    if (this.#dropped > 0) {
      out.unshift(
        `[${this.#dropped} earlier message(s) arrived while you were working and were dropped because the queue holds ${STEER_CAP}]`,
      );
      this.#dropped = 0;
    }
    return out;
  }
}
