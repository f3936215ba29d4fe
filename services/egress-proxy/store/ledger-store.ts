import Database from "better-sqlite3";
import { applySync, type SyncMode } from "../../common/sqlite/sync.js";
import type { Usage, UsageSource } from "../usage/types.js";
import { migrate } from "./migrations/index.js";

/** USD ↔ integer nano-USD. Reservations and costs round UP so rounding never favours spending. */
export const toNusd = (usd: number): number => Math.ceil(usd * 1e9 - 1e-6);
export const toUsd = (nusd: number): number => nusd / 1e9;

export const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
export const monthOf = (ms: number): string => new Date(ms).toISOString().slice(0, 7);

export interface ReserveRequest {
  agent: string;
  provider: string;
  model: string;
  route: string;
  reserveNusd: number;
  dailyLimitNusd: number;
  monthlyLimitNusd: number;
  now: number;
}

export type ReserveResult =
  | { ok: true; id: number }
  | { ok: false; reason: "frozen" }
  | {
      ok: false;
      reason: "budget";
      period: "daily" | "monthly";
      limitNusd: number;
      spentNusd: number;
      reservedNusd: number;
    };

export interface Settlement {
  id: number;
  costNusd: number;
  status: number | null;
  usage: Usage;
  usageSource: UsageSource;
  priceSource: string;
  errorCode: string | null;
  latencyMs: number;
}

export interface SpendWindow {
  spentNusd: number;
  reservedNusd: number;
}

export interface HealthRow {
  model: string;
  untilMs: number;
  failures: number;
  reason: string;
}

const num = (v: unknown): number => (typeof v === "number" ? v : 0);
const spendFromRow = (row: unknown): SpendWindow => {
  const r = (row ?? {}) as Record<string, unknown>;
  return { spentNusd: num(r.spent_nusd), reservedNusd: num(r.reserved_nusd) };
};
const healthFromRow = (row: unknown): HealthRow => {
  const r = row as Record<string, unknown>;
  return {
    model: String(r.model),
    untilMs: num(r.until_ms),
    failures: num(r.failures),
    reason: String(r.reason),
  };
};

/**
 * The proxy's one database (WAL). Admission is a single synchronous transaction: read both spend windows,
 * refuse or add the reservation; nothing can interleave (better-sqlite3 is synchronous and so is the event
 * loop turn that calls it). Settlement moves the reservation to actual cost exactly once.
 *
 * Hot-path cost (bench/egress.ts): two commits per call, each a few WAL frame writes and, with the default
 * synchronous = FULL, one WAL fsync (common/sqlite/sync.ts; `normal` is the documented opt-out).
 * The connection holds the file exclusively: no POSIX lock calls per transaction and no shared-memory
 * wal-index, and a second proxy pointed at the same volume fails at boot instead of splitting budgets.
 */
export class LedgerStore {
  readonly db: Database.Database;
  readonly #s;
  readonly #reserveTx;
  readonly #settleTx;
  /** Mirror of the `frozen` table (this connection is its only writer), read on every reserve. */
  readonly #frozen: Set<string>;

  constructor(path: string, now: number, sync: SyncMode = "full") {
    this.db = new Database(path);
    // Must precede the first access so WAL never uses the shared-memory index (sqlite.org/wal.html §8).
    this.db.pragma("locking_mode = EXCLUSIVE");
    this.db.pragma("journal_mode = WAL");
    applySync(this.db, sync);
    // A checkpoint (copy + two fsyncs) stalls the event loop; at the default 1000 pages it ran every ~130
    // calls and set the p99. 10000 pages (~40 MB of WAL) makes it one in ~1300 calls.
    this.db.pragma("wal_autocheckpoint = 10000");
    this.db.pragma("busy_timeout = 5000");
    this.db.pragma("foreign_keys = ON");
    migrate(this.db, now);
    const p = (sql: string) => this.db.prepare(sql);
    this.#s = {
      spend: p("SELECT spent_nusd, reserved_nusd FROM spend WHERE agent = ? AND period = ?"),
      // Hot statements bind positionally (cheaper than looking up named parameters on an object).
      addSpend: p(
        `INSERT INTO spend (agent, period, spent_nusd, reserved_nusd) VALUES (?, ?, ?, ?)
         ON CONFLICT (agent, period) DO UPDATE SET spent_nusd = spent_nusd + excluded.spent_nusd,
           reserved_nusd = reserved_nusd + excluded.reserved_nusd`,
      ),
      insertCall: p(
        `INSERT INTO calls (agent, provider, model, route, day, month, started_at, state, reserved_nusd)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?)`,
      ),
      openCall: p("SELECT agent, day, month, reserved_nusd FROM calls WHERE id = ? AND state = 'open'"),
      settleCall: p(
        `UPDATE calls SET state = 'settled', cost_nusd = ?, status = ?, input_tokens = ?, cached_input_tokens = ?,
           cache_write_tokens = ?, output_tokens = ?, usage_source = ?, price_source = ?, error_code = ?,
           latency_ms = ? WHERE id = ?`,
      ),
      openIds: p("SELECT id, reserved_nusd FROM calls WHERE state = 'open'"),
      freeze: p("INSERT INTO frozen (agent, since) VALUES (?, ?) ON CONFLICT (agent) DO NOTHING"),
      unfreeze: p("DELETE FROM frozen WHERE agent = ?"),
      frozenAll: p("SELECT agent FROM frozen ORDER BY agent").pluck(),
      healthAll: p("SELECT model, until_ms, failures, reason FROM model_health"),
      healthPut: p(
        `INSERT INTO model_health (model, until_ms, failures, reason, updated_at) VALUES (@model, @until, @failures, @reason, @now)
         ON CONFLICT (model) DO UPDATE SET until_ms = @until, failures = @failures, reason = @reason, updated_at = @now`,
      ),
      healthDelete: p("DELETE FROM model_health WHERE model = ?"),
      costsByModel: p(
        `SELECT agent, model, day, COUNT(*) AS calls, SUM(cost_nusd) AS cost_nusd, SUM(input_tokens) AS input_tokens,
           SUM(output_tokens) AS output_tokens FROM calls WHERE day >= ? GROUP BY agent, model, day ORDER BY day, agent, model`,
      ),
      lastCalls: p("SELECT * FROM calls ORDER BY id DESC LIMIT ?"),
      callsAfter: p(
        `SELECT * FROM calls WHERE id > @after AND state = 'settled' AND (@agent IS NULL OR agent = @agent)
         ORDER BY id LIMIT @limit`,
      ),
    };
    this.#frozen = new Set(this.#s.frozenAll.all() as string[]);
    this.#reserveTx = this.db.transaction((r: ReserveRequest): ReserveResult => this.#reserve(r));
    this.#settleTx = this.db.transaction((s: Settlement): boolean => this.#settle(s));
    this.#recoverOpenCalls();
  }

  /** Check-and-reserve against the daily and monthly windows, atomically. */
  reserve(request: ReserveRequest): ReserveResult {
    return this.#reserveTx(request);
  }

  /** Settles an open call once; returns false when it was already settled. */
  settle(settlement: Settlement): boolean {
    return this.#settleTx(settlement);
  }

  window(agent: string, period: string): SpendWindow {
    return spendFromRow(this.#s.spend.get(agent, period));
  }

  isFrozen(agent: string): boolean {
    return this.#frozen.has(agent);
  }

  freeze(agent: string, now: number): void {
    this.#s.freeze.run(agent, now);
    this.#frozen.add(agent);
  }

  unfreeze(agent: string): void {
    this.#s.unfreeze.run(agent);
    this.#frozen.delete(agent);
  }

  frozenAgents(): string[] {
    return [...this.#frozen].sort();
  }

  loadHealth(): HealthRow[] {
    return this.#s.healthAll.all().map(healthFromRow);
  }

  saveHealth(row: HealthRow, now: number): void {
    this.#s.healthPut.run({
      model: row.model,
      until: row.untilMs,
      failures: row.failures,
      reason: row.reason,
      now,
    });
  }

  clearHealth(model: string): void {
    this.#s.healthDelete.run(model);
  }

  costsSince(day: string): Array<Record<string, unknown>> {
    return this.#s.costsByModel.all(day) as Array<Record<string, unknown>>;
  }

  /** Settled calls with `id > after`, oldest first (the admin calls view; `limit` capped at 500). */
  callsAfter(after: number, limit: number, agent?: string): Array<Record<string, unknown>> {
    const rows = this.#s.callsAfter.all({
      after,
      limit: Math.min(Math.max(1, limit), 500),
      agent: agent ?? null,
    });
    return rows as Array<Record<string, unknown>>;
  }

  /** Most recent ledger rows (tests and audit). */
  recentCalls(limit: number): Array<Record<string, unknown>> {
    return this.#s.lastCalls.all(Math.min(Math.max(1, limit), 10_000)) as Array<Record<string, unknown>>;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  #reserve(r: ReserveRequest): ReserveResult {
    if (this.#frozen.has(r.agent)) return { ok: false, reason: "frozen" };
    const iso = new Date(r.now).toISOString();
    const day = iso.slice(0, 10);
    const month = iso.slice(0, 7);
    const windows: Array<["daily" | "monthly", string, number]> = [
      ["daily", `d:${day}`, r.dailyLimitNusd],
      ["monthly", `m:${month}`, r.monthlyLimitNusd],
    ];
    for (const [period, key, limit] of windows) {
      const w = spendFromRow(this.#s.spend.get(r.agent, key));
      if (w.spentNusd + w.reservedNusd + r.reserveNusd > limit) {
        return {
          ok: false,
          reason: "budget",
          period,
          limitNusd: limit,
          spentNusd: w.spentNusd,
          reservedNusd: w.reservedNusd,
        };
      }
    }
    for (const [, key] of windows) this.#s.addSpend.run(r.agent, key, 0, r.reserveNusd);
    const info = this.#s.insertCall.run(
      r.agent,
      r.provider,
      r.model,
      r.route,
      day,
      month,
      r.now,
      r.reserveNusd,
    );
    return { ok: true, id: Number(info.lastInsertRowid) };
  }

  #settle(s: Settlement): boolean {
    const row = this.#s.openCall.get(s.id) as Record<string, unknown> | undefined;
    if (!row) return false;
    const agent = String(row.agent);
    const reserved = num(row.reserved_nusd);
    for (const key of [`d:${String(row.day)}`, `m:${String(row.month)}`]) {
      this.#s.addSpend.run(agent, key, s.costNusd, -reserved);
    }
    const u = s.usage;
    this.#s.settleCall.run(
      s.costNusd,
      s.status,
      u.inputTokens,
      u.cachedInputTokens,
      u.cacheWriteTokens,
      u.outputTokens,
      s.usageSource,
      s.priceSource,
      s.errorCode,
      s.latencyMs,
      s.id,
    );
    return true;
  }

  /** A crash left calls open: charge each its full reservation (conservative, cannot overshoot). */
  #recoverOpenCalls(): void {
    const open = this.#s.openIds.all() as Array<{ id: number; reserved_nusd: number }>;
    for (const call of open) {
      this.settle({
        id: call.id,
        costNusd: call.reserved_nusd,
        status: null,
        usage: { inputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 0 },
        usageSource: "crash",
        priceSource: "reservation",
        errorCode: "crash",
        latencyMs: 0,
      });
    }
  }
}
