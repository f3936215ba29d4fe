import { closeSync, fsync, openSync } from "node:fs";
import Database from "better-sqlite3";
import type { SyncMode } from "../../common/sqlite/sync.js";
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

interface OpenCall {
  agent: string;
  daily: string;
  monthly: string;
  reserved: number;
}

/** How long the journal must be quiet before a WAL checkpoint runs, and the call count that forces one. */
const CHECKPOINT_IDLE_MS = 200;
const CHECKPOINT_FORCE_CALLS = 50_000;
/** With synchronous=full: how often the WAL is fsynced (in libuv's thread pool) after commits. */
const WAL_FSYNC_MS = 20;

/**
 * The proxy's budgets and ledger (docs/decisions/egress-proxy.md "Budgets in memory, journaled in group commits").
 * This process is the only writer, so the spend windows and the open calls live in memory: admission is a
 * synchronous check-and-add on a Map (no transaction on the request path), and every change is appended to
 * a journal that one SQLite transaction commits per event-loop turn (setImmediate), however many calls
 * that turn admitted or settled. Checkpoints run when the journal has been quiet for CHECKPOINT_IDLE_MS
 * (or after CHECKPOINT_FORCE_CALLS calls without a quiet moment), never inside a request's commit.
 *
 * Crash rule (tests/integration/egress-proxy/issue-15-budget-crash.test.ts): a kill -9 loses at most the
 * journal of the last turn, i.e. calls that were in flight; a call journaled as open and never settled is
 * charged its full reservation at the next boot (conservative). So after a crash the ledger and the provider's
 * count of forwarded calls differ by at most the calls in flight, and no budget is overspent by more than those.
 * Durability: each journal commit runs with synchronous=NORMAL (no fsync on the event loop: the commit is in
 * the OS page cache, which survives a kill -9); with the default `full` mode the WAL is fsynced with
 * fs.fsync (libuv's thread pool, off the event loop) within WAL_FSYNC_MS of a commit, so a power loss
 * loses at most that window. Checkpoints fsync as SQLite does under NORMAL.
 * The connection holds the file exclusively: a second proxy pointed at the same volume fails at boot.
 */
export class LedgerStore {
  readonly db: Database.Database;
  readonly #s;
  readonly #flushTx;
  /** Mirror of the `frozen` table (this connection is its only writer), read on every reserve. */
  readonly #frozen: Set<string>;
  /** Spend windows by `agent\0period`, read through from SQLite on first use, authoritative afterwards. */
  readonly #windows = new Map<string, SpendWindow>();
  readonly #open = new Map<number, OpenCall>();
  #nextId: number;
  /** The journal of this turn: calls to insert, settlements, and the net change of each touched window. */
  #inserts: unknown[][] = [];
  #settles: unknown[][] = [];
  #touched = new Set<string>();
  #flushScheduled = false;
  #checkpointTimer: NodeJS.Timeout | undefined;
  #callsSinceCheckpoint = 0;
  readonly #fsyncWal: boolean;
  #walFd: number | undefined;
  #fsyncTimer: NodeJS.Timeout | undefined;
  #fsyncing = false;

  constructor(path: string, now: number, sync: SyncMode = "full") {
    this.db = new Database(path);
    // Must precede the first access so WAL never uses the shared-memory index (sqlite.org/wal.html §8).
    this.db.pragma("locking_mode = EXCLUSIVE");
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.#fsyncWal = sync === "full" && path !== ":memory:";
    // Checkpoints are run by #scheduleCheckpoint, off the commits of the request path.
    this.db.pragma("wal_autocheckpoint = 0");
    this.db.pragma("busy_timeout = 5000");
    this.db.pragma("foreign_keys = ON");
    migrate(this.db, now);
    const p = (sql: string) => this.db.prepare(sql);
    this.#s = {
      spend: p("SELECT spent_nusd, reserved_nusd FROM spend WHERE agent = ? AND period = ?"),
      // Hot statements bind positionally (cheaper than looking up named parameters on an object).
      putSpend: p(
        `INSERT INTO spend (agent, period, spent_nusd, reserved_nusd) VALUES (?, ?, ?, ?)
         ON CONFLICT (agent, period) DO UPDATE SET spent_nusd = excluded.spent_nusd,
           reserved_nusd = excluded.reserved_nusd`,
      ),
      insertCall: p(
        `INSERT INTO calls (id, agent, provider, model, route, day, month, started_at, state, reserved_nusd)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', ?)`,
      ),
      settleCall: p(
        `UPDATE calls SET state = 'settled', cost_nusd = ?, status = ?, input_tokens = ?, cached_input_tokens = ?,
           cache_write_tokens = ?, output_tokens = ?, usage_source = ?, price_source = ?, error_code = ?,
           latency_ms = ? WHERE id = ? AND state = 'open'`,
      ),
      openCalls: p("SELECT id, agent, day, month, reserved_nusd FROM calls WHERE state = 'open'"),
      maxId: p("SELECT COALESCE(MAX(id), 0) FROM calls").pluck(),
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
    this.#flushTx = this.db.transaction(() => this.#writeJournal());
    this.#nextId = Number(this.#s.maxId.get()) + 1;
    this.#recoverOpenCalls();
  }

  /** Check-and-reserve against the daily and monthly windows, atomically (one synchronous call). */
  reserve(r: ReserveRequest): ReserveResult {
    if (this.#frozen.has(r.agent)) return { ok: false, reason: "frozen" };
    const iso = new Date(r.now).toISOString();
    const day = iso.slice(0, 10);
    const month = iso.slice(0, 7);
    const daily = this.#window(r.agent, `d:${day}`);
    const monthly = this.#window(r.agent, `m:${month}`);
    for (const [period, w, limit] of [
      ["daily", daily, r.dailyLimitNusd],
      ["monthly", monthly, r.monthlyLimitNusd],
    ] as const) {
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
    daily.reservedNusd += r.reserveNusd;
    monthly.reservedNusd += r.reserveNusd;
    const id = this.#nextId++;
    this.#open.set(id, { agent: r.agent, daily: `d:${day}`, monthly: `m:${month}`, reserved: r.reserveNusd });
    this.#inserts.push([id, r.agent, r.provider, r.model, r.route, day, month, r.now, r.reserveNusd]);
    this.#touch(r.agent, `d:${day}`, `m:${month}`);
    return { ok: true, id };
  }

  /** Settles an open call once; returns false when it was already settled. */
  settle(s: Settlement): boolean {
    const call = this.#open.get(s.id);
    if (!call) return false;
    this.#open.delete(s.id);
    for (const key of [call.daily, call.monthly]) {
      const w = this.#window(call.agent, key);
      w.spentNusd += s.costNusd;
      w.reservedNusd -= call.reserved;
    }
    const u = s.usage;
    this.#settles.push([
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
    ]);
    this.#touch(call.agent, call.daily, call.monthly);
    return true;
  }

  window(agent: string, period: string): SpendWindow {
    return { ...this.#window(agent, period) };
  }

  /** Commits this turn's journal now (readers of the tables, snapshots and close call it first). */
  flush(): void {
    if (this.#inserts.length === 0 && this.#settles.length === 0 && this.#touched.size === 0) return;
    if (!this.db.open) return;
    this.#flushTx();
    this.#scheduleFsync();
    this.#scheduleCheckpoint();
  }

  isFrozen(agent: string): boolean {
    return this.#frozen.has(agent);
  }

  freeze(agent: string, now: number): void {
    this.#durably(() => this.#s.freeze.run(agent, now));
    this.#frozen.add(agent);
  }

  unfreeze(agent: string): void {
    this.#durably(() => this.#s.unfreeze.run(agent));
    this.#frozen.delete(agent);
  }

  /** The kill switch is acknowledged to the operator: its commit is fsynced before this returns. */
  #durably(run: () => void): void {
    if (!this.#fsyncWal) {
      run();
      return;
    }
    this.flush();
    this.db.pragma("synchronous = FULL");
    try {
      run();
    } finally {
      this.db.pragma("synchronous = NORMAL");
    }
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
    this.flush();
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
    this.flush();
    return this.#s.lastCalls.all(Math.min(Math.max(1, limit), 10_000)) as Array<Record<string, unknown>>;
  }

  close(): void {
    clearTimeout(this.#checkpointTimer);
    clearTimeout(this.#fsyncTimer);
    if (!this.db.open) return;
    this.flush();
    this.db.pragma("wal_checkpoint(TRUNCATE)");
    this.db.close();
    // An fsync still in the thread pool closes the descriptor when it returns.
    if (this.#walFd !== undefined && !this.#fsyncing) closeSync(this.#walFd);
  }

  /** fsync of the WAL in the thread pool, at most one in flight, within WAL_FSYNC_MS of a commit. */
  #scheduleFsync(): void {
    if (!this.#fsyncWal || this.#fsyncTimer !== undefined) return;
    this.#fsyncTimer = setTimeout(() => {
      this.#fsyncTimer = undefined;
      if (this.#fsyncing) {
        this.#scheduleFsync();
        return;
      }
      this.#walFd ??= openSync(`${this.db.name}-wal`, "r");
      this.#fsyncing = true;
      const fd = this.#walFd;
      fsync(fd, () => {
        this.#fsyncing = false;
        if (!this.db.open) closeSync(fd);
      });
    }, WAL_FSYNC_MS);
    this.#fsyncTimer.unref();
  }

  #window(agent: string, period: string): SpendWindow {
    const key = `${agent}\0${period}`;
    let w = this.#windows.get(key);
    if (!w) {
      w = spendFromRow(this.#s.spend.get(agent, period));
      this.#windows.set(key, w);
    }
    return w;
  }

  #touch(agent: string, daily: string, monthly: string): void {
    this.#touched.add(`${agent}\0${daily}`);
    this.#touched.add(`${agent}\0${monthly}`);
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => this.flush());
  }

  /** One transaction: the turn's new calls, then its settlements, then each touched window's new totals. */
  #writeJournal(): void {
    this.#flushScheduled = false;
    const inserts = this.#inserts;
    const settles = this.#settles;
    const touched = this.#touched;
    this.#inserts = [];
    this.#settles = [];
    this.#touched = new Set();
    for (const row of inserts) this.#s.insertCall.run(...row);
    for (const row of settles) this.#s.settleCall.run(...row);
    for (const key of touched) {
      const w = this.#windows.get(key);
      const sep = key.indexOf("\0");
      if (w) this.#s.putSpend.run(key.slice(0, sep), key.slice(sep + 1), w.spentNusd, w.reservedNusd);
    }
    this.#callsSinceCheckpoint += inserts.length;
  }

  /** A PASSIVE checkpoint once the journal is quiet; forced (still between turns) when it never is. */
  #scheduleCheckpoint(): void {
    if (this.#callsSinceCheckpoint >= CHECKPOINT_FORCE_CALLS) {
      this.#checkpoint();
      return;
    }
    // Timer.refresh() re-arms the one timer in place: no timer allocation per commit.
    if (this.#checkpointTimer) this.#checkpointTimer.refresh();
    else {
      this.#checkpointTimer = setTimeout(() => this.#checkpoint(), CHECKPOINT_IDLE_MS);
      this.#checkpointTimer.unref();
    }
  }

  #checkpoint(): void {
    clearTimeout(this.#checkpointTimer);
    this.#checkpointTimer = undefined;
    this.#callsSinceCheckpoint = 0;
    if (this.db.open) this.db.pragma("wal_checkpoint(PASSIVE)");
  }

  /** A crash left calls open: charge each its full reservation (conservative, cannot overshoot). */
  #recoverOpenCalls(): void {
    const open = this.#s.openCalls.all() as Array<Record<string, unknown>>;
    for (const row of open) {
      const id = num(row.id);
      const reserved = num(row.reserved_nusd);
      this.#open.set(id, {
        agent: String(row.agent),
        daily: `d:${String(row.day)}`,
        monthly: `m:${String(row.month)}`,
        reserved,
      });
      this.settle({
        id,
        costNusd: reserved,
        status: null,
        usage: { inputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 0 },
        usageSource: "crash",
        priceSource: "reservation",
        errorCode: "crash",
        latencyMs: 0,
      });
    }
    this.flush();
  }
}
