import { backoffMs, type RetryPolicy } from "../../core/backoff.js";
import type { ChannelName, ChannelState, ChannelStatus } from "./types.js";

export const RECONNECT: RetryPolicy = { baseMs: 1000, maxMs: 60_000, maxAttempts: Number.POSITIVE_INFINITY };

/** How a connection attempt ended: fatal ones (bad token, another consumer) are not retried. */
export type Outcome = { fatal: true; state: ChannelState; detail: string } | { fatal: false; detail: string };

/**
 * Keeps one platform connection up: runs `connect` (which resolves or rejects when the connection ends),
 * retries with exponential backoff on transient failures, and stops on fatal ones with a status entry
 * that says why. Shared by every adapter with a long-lived connection.
 */
export class Supervisor {
  #status: ChannelStatus;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;
  #wake: (() => void) | undefined;
  #release: (() => void) | undefined;

  constructor(
    name: ChannelName,
    private readonly classify: (error: unknown) => Outcome,
    private readonly log: (level: "info" | "warn" | "error", msg: string) => void,
    private readonly policy: RetryPolicy = RECONNECT,
  ) {
    this.#status = { name, state: "starting", detail: null };
  }

  status(): ChannelStatus {
    return { ...this.#status };
  }

  set(state: ChannelState, detail: string | null = null): void {
    this.#status = { ...this.#status, state, detail };
  }

  /** Runs the connection loop in the background until stop() or a fatal outcome. */
  run(connect: () => Promise<void>): void {
    void (async () => {
      for (let failures = 0; !this.#stopped; ) {
        try {
          await connect();
          if (this.#stopped) break;
          failures = 0;
          this.set("reconnecting", "connection closed");
        } catch (error) {
          if (this.#stopped) break;
          const outcome = this.classify(error);
          if (outcome.fatal) {
            this.set(outcome.state, outcome.detail);
            this.log("error", `${this.#status.name}: ${outcome.detail}`);
            return;
          }
          failures++;
          this.set("reconnecting", outcome.detail);
          this.log("warn", `${this.#status.name}: ${outcome.detail}; reconnecting`);
        }
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
          this.#timer = setTimeout(resolve, backoffMs(this.policy, Math.max(1, failures)));
        });
      }
    })();
  }

  /** For adapters whose "connection" is a check (webhook platforms): resolves when stop() is called. */
  untilStopped(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#release = resolve;
    });
  }

  stop(): void {
    this.#stopped = true;
    this.#release?.();
    clearTimeout(this.#timer);
    this.#wake?.();
    this.set("stopped");
  }
}
