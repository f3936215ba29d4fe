import type Database from "better-sqlite3";
import { z } from "zod";

export interface ConversationRecord {
  conversation: string;
  /** The latest compaction summary ('' before the first compaction). */
  summary: string;
  /** Transcript messages (from the start) the summary stands for. */
  covered: number;
  compactions: number;
  /** Transcript length at the last 60 % flush; -1 = never. */
  flushedAt: number;
  factsSaved: number;
}

const row = z.object({
  conversation: z.string(),
  summary: z.string(),
  covered: z.int(),
  compactions: z.int(),
  flushed_at: z.int(),
  facts_saved: z.int(),
});

/** Context-manager state per conversation in memory.db, so a compaction survives a restart. */
export class ConversationState {
  readonly #s;
  readonly #now: () => number;

  constructor(db: Database.Database, now: () => number = Date.now) {
    this.#now = now;
    this.#s = {
      get: db.prepare("SELECT * FROM conversation_state WHERE conversation = ?"),
      compacted: db.prepare(
        "INSERT INTO conversation_state (conversation, summary, covered, compactions, facts_saved, flushed_at, updated_at) VALUES (?, ?, ?, 1, ?, ?, ?) ON CONFLICT(conversation) DO UPDATE SET summary = excluded.summary, covered = excluded.covered, compactions = compactions + 1, facts_saved = facts_saved + excluded.facts_saved, flushed_at = excluded.flushed_at, updated_at = excluded.updated_at",
      ),
      flushed: db.prepare(
        "INSERT INTO conversation_state (conversation, flushed_at, facts_saved, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(conversation) DO UPDATE SET flushed_at = excluded.flushed_at, facts_saved = facts_saved + excluded.facts_saved, updated_at = excluded.updated_at",
      ),
      clear: db.prepare("DELETE FROM conversation_state WHERE conversation = ?"),
    };
  }

  get(conversation: string): ConversationRecord {
    const r = this.#s.get.get(conversation);
    if (r === undefined)
      return { conversation, summary: "", covered: 0, compactions: 0, flushedAt: -1, factsSaved: 0 };
    const p = row.parse(r);
    return {
      conversation,
      summary: p.summary,
      covered: p.covered,
      compactions: p.compactions,
      flushedAt: p.flushed_at,
      factsSaved: p.facts_saved,
    };
  }

  /** A new summary covering the first `covered` transcript messages; also closes the flush cycle. */
  recordCompaction(conversation: string, summary: string, covered: number, factsSaved: number): void {
    this.#s.compacted.run(conversation, summary, covered, factsSaved, covered, this.#now());
  }

  recordFlush(conversation: string, transcriptLength: number, factsSaved: number): void {
    this.#s.flushed.run(conversation, transcriptLength, factsSaved, this.#now());
  }

  /** On a conversation reset: the next session starts without a summary. */
  clear(conversation: string): void {
    this.#s.clear.run(conversation);
  }
}
