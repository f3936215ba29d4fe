import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** V8's `gc` function as `--expose-gc` provides it (options: v8/src/extensions/gc-extension.cc). */
export type GcFunction = (options?: {
  type?: "major" | "minor";
  execution?: "sync" | "async";
  flavor?: "regular" | "last-resort";
}) => void;

/**
 * V8's `gc` without starting node with --expose-gc: the flag is switched on just long enough for a
 * fresh context to be created with it, then off again, so nothing else in the process sees a global
 * `gc`. Undefined when the runtime refuses (then no trimming happens).
 */
export function exposeGc(): GcFunction | undefined {
  const existing = (globalThis as { gc?: unknown }).gc;
  if (typeof existing === "function") return existing as GcFunction;
  try {
    setFlagsFromString("--expose-gc");
    const gc: unknown = runInNewContext("gc");
    return typeof gc === "function" ? (gc as GcFunction) : undefined;
  } catch {
    return undefined;
  } finally {
    setFlagsFromString("--no-expose-gc");
  }
}

export const TRIM_DELAY_MS = 2_000;

/**
 * Gives memory back to the OS once the agent has been idle for `delayMs`. V8 grows its young generation
 * to 2 × 32 MB under a burst of allocation (start-up, a turn with a long history) and keeps the pages
 * committed afterwards, and a regular full GC does not shrink it: an agent waits for its model or its
 * next message most of the time and would hold 60–120 MB of empty heap (bench/results/agent.md). One
 * "last resort" full GC (the one V8 runs under memory pressure) per idle period shrinks the young
 * generation and releases free old-space pages; it costs a few ms of CPU, never inside a turn.
 */
export class HeapTrim {
  #timer: NodeJS.Timeout | undefined;
  #trims = 0;

  constructor(readonly o: { gc: GcFunction; isIdle: () => boolean; delayMs?: number }) {}

  /** How many trims ran (for /status-style introspection and tests). */
  get trims(): number {
    return this.#trims;
  }

  /** (Re)starts the idle countdown; the trim runs only if the agent is still idle when it ends. */
  schedule(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (!this.o.isIdle()) return;
      this.o.gc({ type: "major", execution: "sync", flavor: "last-resort" });
      this.#trims++;
    }, this.o.delayMs ?? TRIM_DELAY_MS);
    this.#timer.unref();
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
