/**
 * One run at a time per agent (chat turns and tasks share the model, the tools and /data), FIFO,
 * bounded. `current` is what /status and /healthz report.
 */
export interface QueuedRun {
  kind: "chat" | "task";
  id: string;
  from: string;
  start: () => Promise<void>;
  /** Called instead of start when the run is dropped from the queue (reset, shutdown). */
  cancel: (why: string) => void;
}

export class RunQueue {
  readonly #pending: QueuedRun[] = [];
  #current: { kind: QueuedRun["kind"]; id: string; from: string; startedAt: number } | undefined;
  #idle: Array<() => void> = [];
  /** Called each time the queue runs dry (the last run ended and nothing is queued). */
  onIdle: (() => void) | undefined;

  constructor(
    readonly cap: number,
    readonly now: () => number = Date.now,
  ) {}

  get length(): number {
    return this.#pending.length;
  }

  get current() {
    return this.#current;
  }

  get busy(): boolean {
    return this.#current !== undefined;
  }

  /** False when the queue is full. */
  push(run: QueuedRun): boolean {
    if (this.#pending.length >= this.cap) return false;
    this.#pending.push(run);
    this.#pump();
    return true;
  }

  /** Drops queued (not running) runs; returns them so the caller can mark them cancelled. */
  clear(): QueuedRun[] {
    return this.#pending.splice(0);
  }

  /** Drops one queued (not running) run by id; returns it, or undefined when it is not queued. */
  remove(id: string): QueuedRun | undefined {
    const i = this.#pending.findIndex((r) => r.id === id);
    return i < 0 ? undefined : this.#pending.splice(i, 1)[0];
  }

  /** Resolves when nothing runs and nothing is queued. */
  idle(): Promise<void> {
    if (!this.#current && this.#pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #pump(): void {
    if (this.#current) return;
    const next = this.#pending.shift();
    if (!next) {
      for (const resolve of this.#idle.splice(0)) resolve();
      this.onIdle?.();
      return;
    }
    this.#current = { kind: next.kind, id: next.id, from: next.from, startedAt: this.now() };
    next
      .start()
      .catch(() => {
        // start() reports its own failures; the queue only keeps moving.
      })
      .finally(() => {
        this.#current = undefined;
        this.#pump();
      });
  }
}
