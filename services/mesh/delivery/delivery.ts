import type { Dispatcher } from "undici";
import type { Clock } from "../clock.js";
import { backoffMs, type RetryPolicy } from "../core/backoff.js";
import { MeshErrors } from "../errors.js";
import type { Identity } from "../identity.js";
import type { MeshLimits } from "../limits.js";
import { messageFromRow, type NewMessage } from "../store/inbox-repo.js";
import type { MeshStore } from "../store/mesh-store.js";
import { errorText, probeHealth, pushInbox } from "./agent-client.js";

export interface DeliveryDeps {
  store: MeshStore;
  identity: Identity;
  clock: Clock;
  limits: MeshLimits;
  http: Dispatcher;
  onDeadLetter?: (agent: string, count: number) => void;
  /** Dead-lettered messages went back into the push queue (`why`: "healthy" or "operator"). */
  onRequeue?: (agent: string, count: number, why: "healthy" | "operator") => void;
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
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  #running = false;
  #probe: NodeJS.Timeout | undefined;
  #probing = false;

  private readonly deps: DeliveryDeps;

  constructor(deps: DeliveryDeps) {
    this.deps = deps;
    const l = deps.limits;
    this.#policy = { baseMs: l.retry_base_ms, maxMs: l.retry_max_ms, maxAttempts: l.retry_attempts };
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
    const { store, clock } = this.deps;
    this.#running = true;
    for (const agent of store.inbox.agentsWithPending()) {
      this.#dirty.add(agent);
      // Resume the persisted backoff: a restart must not turn into a burst against a down agent.
      const first = store.inbox.pendingBatch(agent, 1)[0];
      if (first && first.attempts > 0) {
        const wait = Math.max(0, first.next_attempt_at - clock.now());
        this.#backoff.set(agent, { failures: first.attempts, until: performance.now() + wait });
      }
    }
    this.#schedule(0);
    this.#probe = setInterval(() => void this.#probeDead(), this.deps.limits.dead_probe_ms);
    this.#probe.unref();
  }

  /**
   * Puts an agent's dead-lettered messages back into the push queue (fresh retry budget) and clears
   * its backoff so the push happens now. Returns how many messages were requeued.
   */
  requeue(agent: string, why: "healthy" | "operator"): number {
    const { store } = this.deps;
    const n = store.transaction(() => store.inbox.requeueDead(agent));
    if (n > 0 || why === "operator") this.deps.onRequeue?.(agent, n, why);
    this.#backoff.delete(agent);
    this.kick(agent);
    return n;
  }

  /** A health probe saw the agent up: re-push dead letters and skip any remaining backoff. */
  healthy(agent: string): void {
    if (!this.#running || !this.deps.store.db.open) return;
    if (this.deps.store.inbox.stats().get(agent)?.dead) this.requeue(agent, "healthy");
    else if (this.#backoff.delete(agent)) this.kick(agent);
  }

  /** Every `dead_probe_ms`: probes agents that have dead letters; those that answer get them again. */
  async #probeDead(): Promise<void> {
    const { store, identity, limits, http } = this.deps;
    if (this.#probing || !this.#running || !store.db.open) return;
    this.#probing = true;
    try {
      for (const id of store.inbox.agentsWithDead()) {
        const entry = identity.agents.get(id);
        if (!entry) continue;
        const health = await probeHealth(entry, {
          http,
          tokens: identity,
          timeoutMs: limits.health_timeout_ms,
          signal: this.#abort.signal,
        });
        if (health.up) this.healthy(id);
      }
    } finally {
      this.#probing = false;
    }
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
    if (this.#probe) clearInterval(this.#probe);
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
    store.flush(); // never push rows of an uncommitted write batch
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
        tokens: identity,
        timeoutMs: limits.push_timeout_ms,
        signal: this.#abort.signal,
      });
      if (!store.db.open) return;
      store.transaction(() => store.inbox.markDelivered(agent, ids, clock.now()));
      this.#backoff.delete(agent);
    } catch (error) {
      if (!store.db.open || this.#abort.signal.aborted) return;
      const failures = (this.#backoff.get(agent)?.failures ?? 0) + 1;
      const delay = backoffMs(this.#policy, failures);
      const nextAt = clock.now() + delay;
      const dead = store.transaction(() =>
        store.inbox.markFailed(agent, ids, this.#policy.maxAttempts, nextAt),
      );
      this.#backoff.set(agent, { failures, until: performance.now() + delay });
      if (dead > 0) this.deps.onDeadLetter?.(agent, dead);
      this.lastError.set(agent, errorText(error));
    }
  }

  /** Last push error per agent (for status), never a message body. */
  readonly lastError = new Map<string, string>();
}
