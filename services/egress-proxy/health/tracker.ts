import type { HealthRow, LedgerStore } from "../store/ledger-store.js";
import { cooldownFor, describeOutcome, type Outcome } from "./policy.js";

export interface Cooldown {
  model: string;
  untilMs: number;
  failures: number;
  reason: string;
}

/**
 * Per-model health shared by every agent, persisted so a restart keeps cooldowns. A success resets the
 * failure streak; a failure that the policy cools extends the cooldown (never shortens a longer one).
 */
export class HealthTracker {
  readonly #rows = new Map<string, HealthRow>();
  readonly #store: LedgerStore;
  readonly #now: () => number;

  constructor(store: LedgerStore, now: () => number) {
    this.#store = store;
    this.#now = now;
    for (const row of store.loadHealth()) this.#rows.set(row.model, row);
  }

  /** The active cooldown of a model, if any. */
  cooling(model: string): Cooldown | undefined {
    const row = this.#rows.get(model);
    if (!row || row.untilMs <= this.#now()) return undefined;
    return { ...row };
  }

  record(model: string, outcome: Outcome): void {
    const row = this.#rows.get(model);
    if (outcome.kind === "status" && outcome.status < 400) {
      if (row && row.failures > 0 && row.untilMs <= this.#now()) {
        this.#rows.delete(model);
        this.#store.clearHealth(model);
      }
      return;
    }
    const failures = (row?.failures ?? 0) + 1;
    const { seconds } = cooldownFor(outcome, failures);
    if (seconds === 0) return;
    const now = this.#now();
    const next: HealthRow = {
      model,
      failures,
      untilMs: Math.max(row?.untilMs ?? 0, now + seconds * 1000),
      reason: describeOutcome(outcome),
    };
    this.#rows.set(model, next);
    this.#store.saveHealth(next, now);
  }

  /** Every model with a cooldown or a failure streak (for GET /admin/health). */
  snapshot(): Array<Cooldown & { cooling: boolean; retryAfterS: number }> {
    const now = this.#now();
    return [...this.#rows.values()]
      .sort((a, b) => a.model.localeCompare(b.model))
      .map((r) => ({
        ...r,
        cooling: r.untilMs > now,
        retryAfterS: Math.max(0, Math.ceil((r.untilMs - now) / 1000)),
      }));
  }
}
