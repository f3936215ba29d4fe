import type Database from "better-sqlite3";
import type { InboxMessage, Lane } from "../../common/contracts/mesh-api.js";
import { inboxKindSchema, laneSchema } from "../../common/contracts/mesh-api.js";

/**
 * Durable per-agent inboxes. States: `pending` (to push), `dead` (push gave up after the retry budget;
 * still pullable), `delivered` (pushed with a 2xx or acked by pull; purged after retention).
 */
export interface InboxRow {
  id: number;
  agent: string;
  kind: string;
  sender: string;
  topic: string | null;
  lane: string;
  payload: string;
  created_at: number;
  state: string;
  attempts: number;
  delivered_at: number | null;
  /** Epoch ms before which the next push must not happen (persisted backoff; 0 = now). */
  next_attempt_at: number;
}

export interface NewMessage {
  agent: string;
  kind: InboxMessage["kind"];
  sender: string;
  topic: string | null;
  lane: Lane;
  /** JSON text, already size-checked. */
  payload: string;
}

export function messageFromRow(row: InboxRow): InboxMessage {
  return {
    id: row.id,
    kind: inboxKindSchema.parse(row.kind),
    from: row.sender,
    topic: row.topic,
    lane: laneSchema.parse(row.lane),
    payload: JSON.parse(row.payload),
    created_at: row.created_at,
    attempts: row.attempts,
  };
}

export class InboxRepo {
  readonly #insert: Database.Statement;
  readonly #depth: Database.Statement<[string], { n: number }>;
  readonly #pending: Database.Statement<[string, number], InboxRow>;
  readonly #pull: Database.Statement<[string, number, number], InboxRow>;
  readonly #deliver: Database.Statement<[number, number, string], Database.RunResult>;
  readonly #fail: Database.Statement<[number, number, string], Database.RunResult>;
  readonly #redeliver: Database.Statement<[string], Database.RunResult>;
  readonly #agentsDead: Database.Statement<[], { agent: string }>;
  readonly #deadLetter: Database.Statement<[string, number], Database.RunResult>;
  readonly #agentsPending: Database.Statement<[], { agent: string }>;
  readonly #purge: Database.Statement<[number, number], Database.RunResult>;
  readonly #stats: Database.Statement<[], { agent: string; state: string; n: number }>;
  readonly #history: Database.Statement<[string, number, number, string, number, number], InboxRow>;

  constructor(db: Database.Database) {
    this.#insert = db.prepare(
      `INSERT INTO inbox (agent, kind, sender, topic, lane, payload, created_at, state, attempts)
       VALUES (@agent, @kind, @sender, @topic, @lane, @payload, @now, 'pending', 0)`,
    );
    this.#depth = db.prepare(
      "SELECT COUNT(*) AS n FROM inbox WHERE agent = ? AND state IN ('pending', 'dead')",
    );
    this.#pending = db.prepare(
      "SELECT * FROM inbox WHERE agent = ? AND state = 'pending' ORDER BY id LIMIT ?",
    );
    this.#pull = db.prepare(
      "SELECT * FROM inbox WHERE agent = ? AND state IN ('pending', 'dead') AND id > ? ORDER BY id LIMIT ?",
    );
    this.#deliver = db.prepare(
      "UPDATE inbox SET state = 'delivered', delivered_at = ? WHERE id = ? AND agent = ? AND state IN ('pending', 'dead')",
    );
    this.#fail = db.prepare(
      "UPDATE inbox SET attempts = attempts + 1, next_attempt_at = ? WHERE id = ? AND agent = ? AND state = 'pending'",
    );
    this.#redeliver = db.prepare(
      "UPDATE inbox SET state = 'pending', attempts = 0, next_attempt_at = 0 WHERE agent = ? AND state = 'dead'",
    );
    this.#agentsDead = db.prepare("SELECT DISTINCT agent FROM inbox WHERE state = 'dead'");
    this.#deadLetter = db.prepare(
      "UPDATE inbox SET state = 'dead' WHERE agent = ? AND state = 'pending' AND attempts >= ?",
    );
    this.#agentsPending = db.prepare("SELECT DISTINCT agent FROM inbox WHERE state = 'pending'");
    this.#purge = db.prepare(
      `DELETE FROM inbox WHERE id IN (SELECT id FROM inbox WHERE state = 'delivered' AND delivered_at <= ? LIMIT ?)`,
    );
    this.#stats = db.prepare(
      "SELECT agent, state, COUNT(*) AS n FROM inbox WHERE state IN ('pending', 'dead') GROUP BY agent, state",
    );
    // Two index range scans (inbox_agent_id, inbox_sender_id), merged newest first.
    this.#history = db.prepare(
      `SELECT * FROM (SELECT * FROM inbox WHERE agent = ? AND id < ? ORDER BY id DESC LIMIT ?)
       UNION ALL SELECT * FROM (SELECT * FROM inbox WHERE sender = ? AND id < ? ORDER BY id DESC LIMIT ?)
       ORDER BY id DESC`,
    );
  }

  enqueue(message: NewMessage, now: number): number {
    return Number(this.#insert.run({ ...message, now }).lastInsertRowid);
  }

  /** Undelivered messages (pending + dead): what counts against the inbox limit. */
  depth(agent: string): number {
    return this.#depth.get(agent)?.n ?? 0;
  }

  pendingBatch(agent: string, limit: number): InboxRow[] {
    return this.#pending.all(agent, limit);
  }

  pull(agent: string, after: number, limit: number): InboxRow[] {
    return this.#pull.all(agent, after, limit);
  }

  /** Marks messages delivered (push 2xx or pull ack); returns how many changed. */
  markDelivered(agent: string, ids: readonly number[], now: number): number {
    let changed = 0;
    for (const id of ids) changed += this.#deliver.run(now, id, agent).changes;
    return changed;
  }

  /**
   * Counts a failed push for each id and records when the next attempt may happen (so a restart keeps
   * the backoff), then dead-letters those that used up `maxAttempts`.
   */
  markFailed(agent: string, ids: readonly number[], maxAttempts: number, nextAttemptAt = 0): number {
    for (const id of ids) this.#fail.run(nextAttemptAt, id, agent);
    return this.#deadLetter.run(agent, maxAttempts).changes;
  }

  /** Puts an agent's dead-lettered messages back into the push queue with a fresh retry budget. */
  requeueDead(agent: string): number {
    return this.#redeliver.run(agent).changes;
  }

  agentsWithDead(): string[] {
    return this.#agentsDead.all().map((r) => r.agent);
  }

  agentsWithPending(): string[] {
    return this.#agentsPending.all().map((r) => r.agent);
  }

  purgeDelivered(before: number, limit: number): number {
    return this.#purge.run(before, limit).changes;
  }

  /**
   * An agent's recent traffic, newest first: messages to it and messages it sent, with ids below
   * `before`. Delivered rows are kept for `delivered_retention_s`, so this is recent history only.
   */
  history(agent: string, before: number, limit: number): InboxRow[] {
    return this.#history.all(agent, before, limit, agent, before, limit).slice(0, limit);
  }

  /** Per-agent counts of pending and dead messages. */
  stats(): Map<string, { pending: number; dead: number }> {
    const out = new Map<string, { pending: number; dead: number }>();
    for (const row of this.#stats.all()) {
      const s = out.get(row.agent) ?? { pending: 0, dead: 0 };
      if (row.state === "pending") s.pending = row.n;
      else s.dead = row.n;
      out.set(row.agent, s);
    }
    return out;
  }
}
