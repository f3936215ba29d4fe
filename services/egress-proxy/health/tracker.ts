import type { HealthRow, LedgerStore } from "../store/ledger-store.js";
import { cooldownFor, describeOutcome, type Outcome } from "./policy.js";

export interface Cooldown {
  model: string;
  /** Set when only this agent's calls cool (an agent-caused signal, see COOLDOWN_POLICY scope). */
  agent?: string;
  untilMs: number;
  failures: number;
  reason: string;
}

/** Rows of agent-scoped cooldowns are keyed `<model>#<agent>` (model and agent ids never contain `#`). */
const keyOf = (model: string, agent?: string): string => (agent ? `${model}#${agent}` : model);
const splitKey = (key: string): { model: string; agent?: string } => {
  const at = key.lastIndexOf("#");
  return at < 0 ? { model: key } : { model: key.slice(0, at), agent: key.slice(at + 1) };
};

/**
 * Per-model health, persisted so a restart keeps cooldowns. Provider-wide signals cool the model for every
 * agent; agent-caused ones only for the agent that caused them. A success resets that agent's and the shared
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

  /** The active cooldown of a model for this agent (shared or its own), if any. */
  cooling(model: string, agent?: string): Cooldown | undefined {
    for (const key of agent ? [model, keyOf(model, agent)] : [model]) {
      const row = this.#rows.get(key);
      if (row && row.untilMs > this.#now()) return { ...row, ...splitKey(row.model) };
    }
    return undefined;
  }

  record(model: string, outcome: Outcome, agent?: string): void {
    if (outcome.kind === "status" && outcome.status < 400) {
      for (const key of agent ? [model, keyOf(model, agent)] : [model]) {
        const row = this.#rows.get(key);
        if (row && row.failures > 0 && row.untilMs <= this.#now()) {
          this.#rows.delete(key);
          this.#store.clearHealth(key);
        }
      }
      return;
    }
    const scope = cooldownFor(outcome, 1).scope;
    const key = scope === "agent" ? keyOf(model, agent) : model;
    const row = this.#rows.get(key);
    const failures = (row?.failures ?? 0) + 1;
    const { seconds } = cooldownFor(outcome, failures);
    if (seconds === 0) return;
    const now = this.#now();
    const next: HealthRow = {
      model: key,
      failures,
      untilMs: Math.max(row?.untilMs ?? 0, now + seconds * 1000),
      reason: describeOutcome(outcome),
    };
    this.#rows.set(key, next);
    this.#store.saveHealth(next, now);
  }

  /** Every model with a cooldown or a failure streak (for GET /admin/health). */
  snapshot(): Array<Cooldown & { cooling: boolean; retryAfterS: number }> {
    const now = this.#now();
    return [...this.#rows.values()]
      .sort((a, b) => a.model.localeCompare(b.model))
      .map((r) => ({
        ...r,
        ...splitKey(r.model),
        cooling: r.untilMs > now,
        retryAfterS: Math.max(0, Math.ceil((r.untilMs - now) / 1000)),
      }));
  }
}
