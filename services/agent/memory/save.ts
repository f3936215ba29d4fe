import type { Fact, FactStore } from "./fact-store.js";
import { contentTokens, ftsQuery, jaccard } from "./text.js";

/** Token-set Jaccard at or above this (with ≥ 3 content tokens on both sides) is the same fact reworded. */
export const NEAR_DUP_JACCARD = 0.8;
/** Cosine distance at or below this is the same fact (vectors are unit length). */
export const NEAR_DUP_DISTANCE = 0.04;

export type SaveAction = "created" | "duplicate" | "merged" | "superseded";

export interface PreparedFact {
  text: string;
  norm: string;
  key: string | null;
  category: string;
  source: string;
  salience: number;
}

export interface SaveOutcome {
  action: SaveAction;
  id: number;
  category: string;
  /** The fact this one replaced (superseded) or absorbed (merged/duplicate). */
  previous?: { id: number; text: string };
}

/**
 * The write decision, synchronous so nothing interleaves between the checks and the write:
 * same text → reinforce (duplicate); same key, other text → the new fact supersedes the old, which stays
 * as history; near-duplicate wording → merge into the existing fact (keeping the more complete wording);
 * otherwise a new fact. Only facts with the same key (or both unkeyed) merge.
 */
export function writeFact(store: FactStore, f: PreparedFact, emb: Float32Array | undefined): SaveOutcome {
  const same = store.currentByNorm(f.norm);
  if (same) {
    store.reinforce(same.id, f.salience);
    return {
      action: "duplicate",
      id: same.id,
      category: same.category,
      previous: { id: same.id, text: same.text },
    };
  }
  if (f.key) {
    const keyed = store.currentByKey(f.key);
    if (keyed) {
      const id = store.supersede(keyed.id, { ...f, category: f.category }, emb);
      return { action: "superseded", id, category: f.category, previous: { id: keyed.id, text: keyed.text } };
    }
  }
  const near = nearDuplicate(store, f, emb);
  if (near) {
    const mine = contentTokens(f.text);
    const theirs = contentTokens(near.text);
    const keepOld = theirs.length > mine.length && mine.every((t) => theirs.includes(t));
    if (!keepOld) store.rewrite(near.id, f.text, f.norm, near.category, emb);
    else store.reinforce(near.id, f.salience);
    return {
      action: "merged",
      id: near.id,
      category: near.category,
      previous: { id: near.id, text: near.text },
    };
  }
  const id = store.insert(f, emb);
  return { action: "created", id, category: f.category };
}

/**
 * Candidates come from FTS5 (top 5 by the new text's words), so a save costs point lookups, not a vector
 * scan; each is a near-duplicate by token Jaccard or, when both have vectors, by cosine distance.
 */
function nearDuplicate(store: FactStore, f: PreparedFact, emb: Float32Array | undefined): Fact | undefined {
  const match = ftsQuery(f.text);
  if (!match) return undefined;
  const mine = contentTokens(f.text);
  const ids = store.ftsTop(match, 5);
  const facts = store.getMany(ids);
  for (const id of ids) {
    const c = facts.get(id);
    if (!c || c.superseded_by !== null || c.key !== f.key) continue;
    const theirs = contentTokens(c.text);
    if (mine.length >= 3 && theirs.length >= 3 && jaccard(mine, theirs) >= NEAR_DUP_JACCARD) return c;
    const d = emb ? store.vecDistance(id, emb) : undefined;
    if (d !== undefined && d <= NEAR_DUP_DISTANCE) return c;
  }
  return undefined;
}
