import type { Dispatcher } from "undici";
import { meshToken } from "../../common/tokens.js";
import type { Clock } from "../clock.js";
import { backoffMs, type RetryPolicy } from "../core/backoff.js";
import { MeshErrors } from "../errors.js";
import type { Identity } from "../identity.js";
import type { MeshLimits } from "../limits.js";
import { messageFromRow, type NewMessage } from "../store/inbox-repo.js";
import type { MeshStore } from "../store/mesh-store.js";
import { errorText, pushInbox } from "./agent-client.js";

export interface DeliveryDeps {
  store: MeshStore;
  identity: Identity;
  clock: Clock;
  limits: MeshLimits;
  http: Dispatcher;
  masterKey: string;
  onDeadLetter?: (agent: string, count: number) => void;
}

/**
 * Durable inboxes with at-least-once push (ARCHITECTURE.md §7). Enqueue happens inside the caller's
 * SQLite transaction, so a message exists before the sender is acknowledged. A pusher per agent sends
 * consecutive pending messages in id order, one batch in flight at a time (order is preserved), retries
 * with exponential backoff while the agent is down and dead-letters after the attempt budget.
 * Dead-lettered and pending messages both stay pullable (GET /v1/inbox), so nothing is ever dropped.
 */
export class Delivery {
  readonly #dirty = new Set<string>();
  readonly #inflight = new Map<string, Promise<void>>();
  readonly #backoff = new Map<string, { failures: number; until: number }>();
  readonly #abort = new AbortController();
  readonly #policy: RetryPolicy;
  readonly #token: string;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  #running = false;

  private readonly deps: DeliveryDeps;

  constructor(deps: DeliveryDeps) {
    this.deps = deps;
    const l = deps.limits;
    this.#policy = { baseMs: l.retry_base_ms, maxMs: l.retry_max_ms, maxAttempts: l.retry_attempts };
    this.#token = meshToken(deps.masterKey);
  }

  /**
   * Queues messages atomically. Full inboxes either reject the whole call (429, nothing queued) or,
   * with `skipFull`, are skipped and returned so the caller can report or audit them.
   */
  enqueue(
    messages: readonly NewMessage[],
    opts: { skipFull?: boolean } = {},
  ): { ids: number[]; skipped: string[] } {
    const { store, limits, clock } = this.deps;
    return store.transaction(() => {
      const extra = new Map<string, number>();
      for (const m of messages) extra.set(m.agent, (extra.get(m.agent) ?? 0) + 1);
      const full = [...extra]
        .filter(([agent, n]) => store.inbox.depth(agent) + n > limits.inbox_depth)
        .map(([a]) => a);
      if (full.length > 0 && !opts.skipFull) throw MeshErrors.inboxFull(full, limits.inbox_depth, 5);
      const skip = new Set(full);
      const now = clock.now();
      const ids = messages.filter((m) => !skip.has(m.agent)).map((m) => store.inbox.enqueue(m, now));
      for (const agent of extra.keys()) if (!skip.has(agent)) this.kick(agent);
      return { ids, skipped: full };
    });
  }

  start(): void {
    this.#running = true;
    for (const agent of this.deps.store.inbox.agentsWithPending()) this.#dirty.add(agent);
    this.#schedule(0);
  }

  /** Marks an agent as having pending messages; the push happens after the current transaction commits. */
  kick(agent: string): void {
    this.#dirty.add(agent);
    if (this.#running) this.#schedule(0);
  }

  queuedAgents(): number {
    return this.#dirty.size;
  }

  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#abort.abort();
    await Promise.allSettled([...this.#inflight.values()]);
  }

  #schedule(delayMs: number): void {
    const at = performance.now() + delayMs;
    if (this.#timer && this.#timerAt <= at) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Number.POSITIVE_INFINITY;
      this.#tick();
    }, delayMs);
    this.#timer.unref();
  }

  #tick(): void {
    if (!this.#running) return;
    const now = performance.now();
    let nextWait = Number.POSITIVE_INFINITY;
    for (const agent of this.#dirty) {
      if (this.#inflight.has(agent)) continue;
      const b = this.#backoff.get(agent);
      if (b && b.until > now) {
        nextWait = Math.min(nextWait, b.until - now);
        continue;
      }
      const run = this.#pushOnce(agent).finally(() => {
        this.#inflight.delete(agent);
        if (this.#running && this.#dirty.has(agent)) this.#schedule(0);
      });
      this.#inflight.set(agent, run);
    }
    if (Number.isFinite(nextWait)) this.#schedule(Math.ceil(nextWait));
  }

  async #pushOnce(agent: string): Promise<void> {
    const { store, identity, limits, clock, http } = this.deps;
    const entry = identity.agents.get(agent);
    const rows = store.inbox.pendingBatch(agent, limits.push_batch);
    if (!entry || rows.length === 0) {
      // No pending messages, or an agent no longer in the config (its rows stay for the record).
      this.#dirty.delete(agent);
      return;
    }
    const ids = rows.map((r) => r.id);
    try {
      await pushInbox(entry, rows.map(messageFromRow), {
        http,
        meshToken: this.#token,
        timeoutMs: limits.push_timeout_ms,
        signal: this.#abort.signal,
      });
      if (!store.db.open) return;
      store.transaction(() => store.inbox.markDelivered(agent, ids, clock.now()));
      this.#backoff.delete(agent);
    } catch (error) {
      if (!store.db.open || this.#abort.signal.aborted) return;
      const dead = store.transaction(() => store.inbox.markFailed(agent, ids, this.#policy.maxAttempts));
      const failures = (this.#backoff.get(agent)?.failures ?? 0) + 1;
      this.#backoff.set(agent, { failures, until: performance.now() + backoffMs(this.#policy, failures) });
      if (dead > 0) this.deps.onDeadLetter?.(agent, dead);
      this.lastError.set(agent, errorText(error));
    }
  }

  /** Last push error per agent (for status), never a message body. */
  readonly lastError = new Map<string, string>();
}
