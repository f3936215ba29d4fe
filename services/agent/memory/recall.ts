import type { Fact, FactStore } from "./fact-store.js";
import { type Candidate, rankCandidates, reciprocalRankFusion } from "./fusion.js";
import { ftsQuery, normalizeText, tokens } from "./text.js";

/** Each retriever's top-k before fusion (research/agent.md §3.6: FTS top-40 + vec top-40). */
export const CANDIDATE_K = 40;

export interface HybridInput {
  query: string;
  limit: number;
  /** Restrict to these categories (tier 2); undefined = all current facts. */
  categories?: readonly string[];
  /** Query embedding; undefined = FTS-only. */
  vector?: Float32Array;
  /** Ids already chosen by an earlier tier. */
  exclude?: ReadonlySet<number>;
  now: number;
}

export interface Hit {
  fact: Fact;
  score: number;
  /** Which retrievers found it. */
  via: ("fts" | "vector" | "key")[];
}

const phrase = (text: string): string => ` ${tokens(text).join(" ")} `;

/** The query names the fact's key as whole words, or is the fact itself. */
export function isExact(fact: Fact, query: string): boolean {
  const q = phrase(query);
  if (fact.key) {
    const k = phrase(fact.key);
    if (k.trim() && q.includes(k)) return true;
  }
  return normalizeText(fact.text) === normalizeText(query);
}

/**
 * One hybrid search over the store (synchronous: the query vector is computed by the caller): FTS5 top-k,
 * vec0 top-k and a direct key lookup, fused by RRF, re-ranked by bounded salience plus the exact boost.
 */
export function hybridSearch(store: FactStore, input: HybridInput): Hit[] {
  const match = ftsQuery(input.query);
  const fts = match ? store.ftsTop(match, CANDIDATE_K, input.categories) : [];
  const vec = input.vector ? store.vecTop(input.vector, CANDIDATE_K, input.categories) : [];
  const keyHit = lookupKey(store, input.query, input.categories);
  const lists = [{ ids: fts }, { ids: vec }, ...(keyHit ? [{ ids: [keyHit] }] : [])];
  const fused = reciprocalRankFusion(lists);
  for (const id of input.exclude ?? []) fused.delete(id);
  if (fused.size === 0) return [];
  const facts = store.getMany([...fused.keys()]);
  const candidates: Candidate[] = [];
  for (const id of fused.keys()) {
    const f = facts.get(id);
    if (!f || f.superseded_by !== null) continue;
    candidates.push({
      id,
      exact: isExact(f, input.query),
      accessCount: f.access_count,
      lastTouched: f.last_access ?? f.updated_at,
      salience: f.salience,
    });
  }
  const ftsSet = new Set(fts);
  const vecSet = new Set(vec);
  return rankCandidates(fused, candidates, input.now)
    .slice(0, input.limit)
    .map((s) => {
      const fact = facts.get(s.id) as Fact;
      const via: Hit["via"] = [];
      if (ftsSet.has(s.id)) via.push("fts");
      if (vecSet.has(s.id)) via.push("vector");
      if (s.id === keyHit) via.push("key");
      return { fact, score: s.score, via };
    });
}

function lookupKey(store: FactStore, query: string, categories?: readonly string[]): number | undefined {
  const key = query.normalize("NFKC").trim().toLowerCase().replace(/\s+/g, " ");
  if (!key || key.length > 64) return undefined;
  const f = store.currentByKey(key);
  if (!f || (categories && !categories.includes(f.category))) return undefined;
  return f.id;
}
