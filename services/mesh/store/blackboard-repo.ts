import type Database from "better-sqlite3";
import type { BlackboardEntry } from "../../common/contracts/mesh-api.js";

/** Blackboard rows: live entries, tombstones (deleted = 1, keep the version counter) and key versions. */
export interface BoardRow {
  key: string;
  value: string | null;
  version: number;
  owner: string;
  updated_by: string;
  created_at: number;
  updated_at: number;
  expires_at: number | null;
  deleted: number;
}

export interface VersionRow {
  key: string;
  version: number;
  op: "put" | "delete";
  value: string | null;
  by: string;
  at: number;
}

export function entryFromRow(row: BoardRow): BlackboardEntry {
  return {
    key: row.key,
    value: row.value === null ? null : JSON.parse(row.value),
    version: row.version,
    updated_by: row.updated_by,
    updated_at: row.updated_at,
    expires_at: row.expires_at,
  };
}

/**
 * The entry as JSON text, splicing the stored value text in as is: the hot read path skips a
 * JSON.parse + re-stringify of every value. Same fields and order as `blackboardEntrySchema`.
 */
export function entryJson(row: BoardRow): string {
  const expires = row.expires_at === null ? "null" : String(row.expires_at);
  return `{"key":${JSON.stringify(row.key)},"value":${row.value ?? "null"},"version":${row.version},"updated_by":${JSON.stringify(row.updated_by)},"updated_at":${row.updated_at},"expires_at":${expires}}`;
}

/** True when the row is a live value at `now` (not a tombstone, not past its TTL). */
export const isLive = (row: BoardRow | undefined, now: number): row is BoardRow =>
  row !== undefined && row.deleted === 0 && (row.expires_at === null || row.expires_at > now);

const COLS = "key, value, version, owner, updated_by, created_at, updated_at, expires_at, deleted";

/** Upper bound for a prefix range scan: keys are ASCII below 0x7f (core/keys.ts). */
const rangeEnd = (prefix: string): string => `${prefix}\u007f`;

export class BlackboardRepo {
  readonly #get: Database.Statement<[string], BoardRow>;
  readonly #upsert: Database.Statement;
  readonly #tombstone: Database.Statement;
  readonly #remove: Database.Statement;
  readonly #addVersion: Database.Statement;
  readonly #pruneVersions: Database.Statement;
  readonly #dropVersions: Database.Statement;
  readonly #list: Database.Statement<[string, string, string, number], BoardRow>;
  readonly #versions: Database.Statement<[string, number], VersionRow>;
  readonly #countOwned: Database.Statement<[string], { n: number }>;
  readonly #expired: Database.Statement<[number, number], BoardRow>;
  readonly #oldTombstones: Database.Statement<[number, number], BoardRow>;

  constructor(db: Database.Database) {
    this.#get = db.prepare(`SELECT ${COLS} FROM blackboard WHERE key = ?`);
    this.#upsert = db.prepare(
      `INSERT INTO blackboard (key, value, version, owner, updated_by, created_at, updated_at, expires_at, deleted)
       VALUES (@key, @value, @version, @owner, @by, @now, @now, @expires_at, 0)
       ON CONFLICT(key) DO UPDATE SET value = @value, version = @version, owner = @owner, updated_by = @by,
         created_at = @created_at, updated_at = @now, expires_at = @expires_at, deleted = 0`,
    );
    this.#tombstone = db.prepare(
      "UPDATE blackboard SET value = NULL, version = @version, updated_by = @by, updated_at = @now, expires_at = NULL, deleted = 1 WHERE key = @key",
    );
    this.#remove = db.prepare("DELETE FROM blackboard WHERE key = ?");
    this.#addVersion = db.prepare(
      "INSERT OR REPLACE INTO blackboard_versions (key, version, op, value, by, at) VALUES (@key, @version, @op, @value, @by, @at)",
    );
    this.#pruneVersions = db.prepare("DELETE FROM blackboard_versions WHERE key = ? AND version <= ?");
    this.#dropVersions = db.prepare("DELETE FROM blackboard_versions WHERE key = ?");
    this.#list = db.prepare(
      `SELECT ${COLS} FROM blackboard WHERE key >= ? AND key < ? AND key > ? AND deleted = 0 ORDER BY key LIMIT ?`,
    );
    this.#versions = db.prepare(
      "SELECT key, version, op, value, by, at FROM blackboard_versions WHERE key = ? ORDER BY version DESC LIMIT ?",
    );
    // key_counts is maintained by triggers (migration 002): O(1) instead of counting the owner's keys.
    this.#countOwned = db.prepare("SELECT n FROM key_counts WHERE owner = ?");
    this.#expired = db.prepare(
      `SELECT ${COLS} FROM blackboard WHERE expires_at IS NOT NULL AND expires_at <= ? ORDER BY expires_at LIMIT ?`,
    );
    this.#oldTombstones = db.prepare(
      `SELECT ${COLS} FROM blackboard WHERE deleted = 1 AND updated_at <= ? ORDER BY updated_at LIMIT ?`,
    );
  }

  get(key: string): BoardRow | undefined {
    return this.#get.get(key);
  }

  /** Writes a new version (caller has checked CAS, limits and permissions inside its transaction). */
  put(p: {
    key: string;
    value: string;
    version: number;
    owner: string;
    by: string;
    now: number;
    createdAt: number;
    expiresAt: number | null;
    keepVersions: number;
  }): void {
    this.#upsert.run({
      key: p.key,
      value: p.value,
      version: p.version,
      owner: p.owner,
      by: p.by,
      now: p.now,
      created_at: p.createdAt,
      expires_at: p.expiresAt,
    });
    this.#recordVersion(p.key, p.version, "put", p.value, p.by, p.now, p.keepVersions);
  }

  tombstone(key: string, version: number, by: string, now: number, keepVersions: number): void {
    this.#tombstone.run({ key, version, by, now });
    this.#recordVersion(key, version, "delete", null, by, now, keepVersions);
  }

  /** Removes a key and its versions entirely (TTL expiry, tombstone purge). */
  purge(key: string): void {
    this.#remove.run(key);
    this.#dropVersions.run(key);
  }

  #recordVersion(
    key: string,
    version: number,
    op: "put" | "delete",
    value: string | null,
    by: string,
    at: number,
    keep: number,
  ): void {
    this.#addVersion.run({ key, version, op, value, by, at });
    if (version > keep) this.#pruneVersions.run(key, version - keep);
  }

  /** Non-deleted rows under `prefix` with key > `after`, in key order (TTL filtering is the caller's). */
  scan(prefix: string, after: string, limit: number): BoardRow[] {
    return this.#list.all(prefix, rangeEnd(prefix), after, limit);
  }

  versions(key: string, limit: number): VersionRow[] {
    return this.#versions.all(key, limit);
  }

  countOwned(agent: string): number {
    return this.#countOwned.get(agent)?.n ?? 0;
  }

  expired(now: number, limit: number): BoardRow[] {
    return this.#expired.all(now, limit);
  }

  tombstonesBefore(before: number, limit: number): BoardRow[] {
    return this.#oldTombstones.all(before, limit);
  }
}
