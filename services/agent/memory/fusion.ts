/**
 * Pure ranking: Reciprocal Rank Fusion of the FTS5 and vector lists, a bounded salience factor and an
 * exact-match boost. Ranks, not scores, are fused: FTS5's bm25() is ≈ -1e-6 in a 1-2 fact corpus (IDF
 * clamp), so a weighted score sum drops exact keyword hits in a young agent (research/agent.md §3.4).
 */

export const RRF_K = 60;
/** Additive boost for an exact key or exact text match: as much as one more rank-1 list. */
export const EXACT_BOOST = 1 / (RRF_K + 1);
export const DECAY_PER_DAY = 0.95;
export const SALIENCE_MIN = 0.7;
export const SALIENCE_MAX = 1.5;
const DAY_MS = 86_400_000;

export interface RankedList {
  /** Fact ids, best first. */
  ids: readonly number[];
  weight?: number;
}

/** Σ over lists of weight / (k + rank), rank starting at 1. Returns id → score. */
export function reciprocalRankFusion(lists: readonly RankedList[], k = RRF_K): Map<number, number> {
  const scores = new Map<number, number>();
  for (const list of lists) {
    const w = list.weight ?? 1;
    list.ids.forEach((id, i) => {
      scores.set(id, (scores.get(id) ?? 0) + w / (k + i + 1));
    });
  }
  return scores;
}

export interface SalienceInput {
  accessCount: number;
  /** Epoch ms of the last recall (or of the last update when never recalled). */
  lastTouched: number;
  /** Stored importance in [0, 1] (0.5 by default). */
  salience: number;
}

/**
 * Multiplier in [SALIENCE_MIN, SALIENCE_MAX]: reinforcement `1 + 0.1·ln(1 + access)`, recency
 * `0.95^days` since last touched (floored at 0.7), importance `0.9 + 0.2·salience`. Bounded so salience
 * re-orders near-ties but never hides a strong hit.
 */
export function salienceFactor(s: SalienceInput, now: number): number {
  const reinforce = 1 + 0.1 * Math.log1p(Math.max(0, s.accessCount));
  const days = Math.max(0, (now - s.lastTouched) / DAY_MS);
  const recency = Math.max(SALIENCE_MIN, DECAY_PER_DAY ** days);
  const importance = 0.9 + 0.2 * Math.min(1, Math.max(0, s.salience));
  return Math.min(SALIENCE_MAX, Math.max(SALIENCE_MIN, reinforce * recency * importance));
}

export interface Candidate extends SalienceInput {
  id: number;
  exact: boolean;
}

export interface Scored {
  id: number;
  score: number;
}

/** Final order: RRF × salience + exact boost; ties broken by id (newer first) for stable output. */
export function rankCandidates(
  fused: ReadonlyMap<number, number>,
  candidates: readonly Candidate[],
  now: number,
): Scored[] {
  return candidates
    .map((c) => ({
      id: c.id,
      score: (fused.get(c.id) ?? 0) * salienceFactor(c, now) + (c.exact ? EXACT_BOOST : 0),
    }))
    .sort((a, b) => b.score - a.score || b.id - a.id);
}
