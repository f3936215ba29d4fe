import type Database from "better-sqlite3";

/**
 * Replay dedupe by delivery id (persisted, bounded: rows older than the TTL are pruned, and at most
 * `max_rows` are kept per hook) and the per-hook secret generation used for rotation.
 */
export class WebhookStore {
  readonly #s;
  readonly db: Database.Database;
  private readonly opts: { ttl_ms: number; max_rows: number };
  constructor(
    db: Database.Database,
    opts: { ttl_ms: number; max_rows: number } = { ttl_ms: 7 * 86_400_000, max_rows: 100_000 },
  ) {
    this.db = db;
    this.opts = opts;
    const p = (sql: string) => db.prepare(sql);
    this.#s = {
      claim: p("INSERT OR IGNORE INTO webhook_deliveries (hook, delivery_id, received_at) VALUES (?, ?, ?)"),
      prune: p("DELETE FROM webhook_deliveries WHERE received_at < ?"),
      count: p("SELECT COUNT(*) AS n FROM webhook_deliveries WHERE hook = ?"),
      trim: p(`DELETE FROM webhook_deliveries WHERE hook = ? AND delivery_id IN (SELECT delivery_id FROM webhook_deliveries
        WHERE hook = ? ORDER BY received_at LIMIT ?)`),
      gen: p("SELECT generation, previous_valid_until FROM webhook_state WHERE hook = ?"),
      setGen: p(`INSERT INTO webhook_state (hook, generation, previous_valid_until) VALUES (?, ?, ?)
        ON CONFLICT(hook) DO UPDATE SET generation = excluded.generation, previous_valid_until = excluded.previous_valid_until`),
      forget: p("DELETE FROM webhook_state WHERE hook NOT IN (SELECT value FROM json_each(?))"),
      delivered:
        p(`INSERT INTO webhook_state (hook, generation, previous_valid_until, deliveries, last_delivery_at)
        VALUES (?, 1, NULL, 1, ?) ON CONFLICT(hook) DO UPDATE SET deliveries = deliveries + 1,
        last_delivery_at = excluded.last_delivery_at`),
      deliveries: p("SELECT deliveries, last_delivery_at FROM webhook_state WHERE hook = ?"),
    };
  }

  /** True the first time a delivery id is seen for a hook (within the TTL); false for a replay. */
  claim(hook: string, deliveryId: string, now: number): boolean {
    const fresh = this.#s.claim.run(hook, deliveryId.slice(0, 200), now).changes === 1;
    if (fresh) {
      const n = (this.#s.count.get(hook) as { n: number }).n;
      if (n > this.opts.max_rows) this.#s.trim.run(hook, hook, n - this.opts.max_rows);
    }
    return fresh;
  }

  /** Counts one accepted (non-duplicate) delivery, in the caller's transaction. */
  delivered(hook: string, now: number): void {
    this.#s.delivered.run(hook, now);
  }

  deliveries(hook: string): { deliveries: number; last_delivery_at: number | null } {
    return (
      (this.#s.deliveries.get(hook) as
        | { deliveries: number; last_delivery_at: number | null }
        | undefined) ?? {
        deliveries: 0,
        last_delivery_at: null,
      }
    );
  }

  prune(now: number): number {
    return this.#s.prune.run(now - this.opts.ttl_ms).changes;
  }

  generation(hook: string): { generation: number; previous_valid_until: number | null } {
    return (
      (this.#s.gen.get(hook) as { generation: number; previous_valid_until: number | null } | undefined) ?? {
        generation: 1,
        previous_valid_until: null,
      }
    );
  }

  /**
   * Drops the rotation state of hooks no longer configured, so a hook removed and later added again
   * under the same name starts at generation 1 — the secret `openlegion webhook add` prints.
   */
  forgetOthers(configured: readonly string[]): number {
    return this.#s.forget.run(JSON.stringify(configured)).changes;
  }

  /** Rotation: a new generation; the previous secret stays valid for `graceMs`. */
  rotate(hook: string, now: number, graceMs: number): number {
    const next = this.generation(hook).generation + 1;
    this.#s.setGen.run(hook, next, now + graceMs);
    return next;
  }
}
