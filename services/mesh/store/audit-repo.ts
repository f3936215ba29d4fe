import type Database from "better-sqlite3";
import { z } from "zod";

/**
 * Append-only audit log: denials, auth failures, permission-relevant actions and operator actions.
 * `detail` is a size-capped JSON object; callers never put tokens or message bodies in it (at most a
 * short preview). Only retention (age, row cap) removes rows.
 */
export interface AuditEntry {
  id: number;
  at: number;
  actor: string;
  action: string;
  target: string;
  outcome: z.output<typeof outcomeSchema>;
  code: string | null;
  detail: Record<string, unknown> | null;
}

export type NewAudit = Omit<AuditEntry, "id">;

interface AuditRow {
  id: number;
  at: number;
  actor: string;
  action: string;
  target: string;
  outcome: string;
  code: string | null;
  detail: string | null;
}

export const DETAIL_MAX = 2048;
export const PREVIEW_MAX = 120;

/** A short, single-line preview of arbitrary text for audit details. */
export function preview(text: string): string {
  const flat = text.replace(/\s+/g, " ");
  return flat.length > PREVIEW_MAX ? `${flat.slice(0, PREVIEW_MAX)}…` : flat;
}

function encodeDetail(detail: Record<string, unknown> | null): string | null {
  if (!detail) return null;
  const text = JSON.stringify(detail);
  return text.length <= DETAIL_MAX
    ? text
    : JSON.stringify({ truncated: true, preview: text.slice(0, DETAIL_MAX - 64) });
}

const outcomeSchema = z.enum(["allowed", "denied", "ok", "error"]);
const detailSchema = z.record(z.string(), z.unknown()).nullable();

function fromRow(row: AuditRow): AuditEntry {
  return {
    ...row,
    outcome: outcomeSchema.parse(row.outcome),
    detail: detailSchema.parse(row.detail === null ? null : JSON.parse(row.detail)),
  };
}

export interface AuditQuery {
  after: number;
  limit: number;
  actor?: string | undefined;
  outcome?: string | undefined;
}

export class AuditRepo {
  readonly #insert: Database.Statement;
  readonly #query: Database.Statement<
    [{ after: number; actor: string | null; outcome: string | null; limit: number }],
    AuditRow
  >;
  readonly #lastId: Database.Statement<[], { id: number | null }>;
  readonly #pruneAge: Database.Statement<[number, number], Database.RunResult>;
  readonly #pruneCount: Database.Statement<[number, number], Database.RunResult>;

  constructor(db: Database.Database) {
    this.#insert = db.prepare(
      "INSERT INTO audit (at, actor, action, target, outcome, code, detail) VALUES (@at, @actor, @action, @target, @outcome, @code, @detail)",
    );
    this.#query = db.prepare(
      `SELECT * FROM audit WHERE id > @after AND (@actor IS NULL OR actor = @actor)
       AND (@outcome IS NULL OR outcome = @outcome) ORDER BY id LIMIT @limit`,
    );
    this.#lastId = db.prepare("SELECT MAX(id) AS id FROM audit");
    this.#pruneAge = db.prepare(
      "DELETE FROM audit WHERE id IN (SELECT id FROM audit WHERE at < ? ORDER BY id LIMIT ?)",
    );
    this.#pruneCount = db.prepare(
      "DELETE FROM audit WHERE id IN (SELECT id FROM audit WHERE id <= (SELECT MAX(id) FROM audit) - ? ORDER BY id LIMIT ?)",
    );
  }

  append(entry: NewAudit): number {
    return Number(this.#insert.run({ ...entry, detail: encodeDetail(entry.detail) }).lastInsertRowid);
  }

  query(q: AuditQuery): AuditEntry[] {
    return this.#query
      .all({ after: q.after, actor: q.actor ?? null, outcome: q.outcome ?? null, limit: q.limit })
      .map(fromRow);
  }

  /** The newest entry's id (0 when empty): where a live feed starts reading. */
  lastId(): number {
    return this.#lastId.get()?.id ?? 0;
  }

  /** Removes rows older than `before` and beyond the newest `maxRows`, at most `batch` of each. */
  prune(before: number, maxRows: number, batch: number): number {
    return this.#pruneAge.run(before, batch).changes + this.#pruneCount.run(maxRows, batch).changes;
  }
}
