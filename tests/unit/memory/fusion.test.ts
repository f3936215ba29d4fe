import { describe, expect, it } from "vitest";
import { categoriesInQuery, classify } from "../../../services/agent/memory/categories.js";
import {
  EXACT_BOOST,
  RRF_K,
  rankCandidates,
  reciprocalRankFusion,
  SALIENCE_MAX,
  SALIENCE_MIN,
  salienceFactor,
} from "../../../services/agent/memory/fusion.js";

const DAY = 86_400_000;

describe("reciprocal rank fusion", () => {
  it("sums 1/(k + rank) over the lists", () => {
    const s = reciprocalRankFusion([{ ids: [1, 2] }, { ids: [2, 3] }]);
    expect(s.get(1)).toBeCloseTo(1 / (RRF_K + 1));
    expect(s.get(2)).toBeCloseTo(1 / (RRF_K + 2) + 1 / (RRF_K + 1));
    expect(s.get(3)).toBeCloseTo(1 / (RRF_K + 2));
  });

  it("ranks a fact found by both retrievers above one found by one (no score scale involved)", () => {
    const fused = reciprocalRankFusion([{ ids: [7, 8] }, { ids: [8, 9] }]);
    const c = (id: number) => ({ id, exact: false, accessCount: 0, lastTouched: 0, salience: 0.5 });
    expect(rankCandidates(fused, [c(7), c(8), c(9)], 0).map((s) => s.id)).toEqual([8, 7, 9]);
  });
});

describe("salience", () => {
  it("is bounded and decays by 0.95 a day down to the floor", () => {
    const base = { accessCount: 0, salience: 0.5 };
    expect(salienceFactor({ ...base, lastTouched: 0 }, 0)).toBeCloseTo(1);
    expect(salienceFactor({ ...base, lastTouched: 0 }, 2 * DAY)).toBeCloseTo(0.95 ** 2);
    expect(salienceFactor({ ...base, lastTouched: 0 }, 400 * DAY)).toBe(SALIENCE_MIN);
    expect(salienceFactor({ accessCount: 1e9, salience: 1, lastTouched: 0 }, 0)).toBe(SALIENCE_MAX);
  });

  it("lets a recalled fact outrank an equally relevant one, but never a much stronger hit", () => {
    const fused = new Map([
      [1, 1 / 61],
      [2, 1 / 61],
      [3, 2 / 61],
    ]);
    const now = 10 * DAY;
    const ranked = rankCandidates(
      fused,
      [
        { id: 1, exact: false, accessCount: 5, lastTouched: now, salience: 0.5 },
        { id: 2, exact: false, accessCount: 0, lastTouched: now, salience: 0.5 },
        { id: 3, exact: false, accessCount: 0, lastTouched: 0, salience: 0 },
      ],
      now,
    );
    expect(ranked.map((r) => r.id)).toEqual([3, 1, 2]);
  });

  it("adds the exact boost on top", () => {
    const fused = new Map([
      [1, 1 / 61],
      [2, 1 / 62],
    ]);
    const c = (id: number, exact: boolean) => ({ id, exact, accessCount: 0, lastTouched: 0, salience: 0.5 });
    const ranked = rankCandidates(fused, [c(1, false), c(2, true)], 0);
    expect(ranked[0]?.id).toBe(2);
    expect(ranked[0]?.score).toBeCloseTo(1 / 62 + EXACT_BOOST);
  });
});

describe("categories", () => {
  it("assigns a fixed fallback category from keywords", () => {
    expect(classify("The user prefers dark mode")).toBe("preference");
    expect(classify("My cat's name is Whiskerino")).toBe("personal");
    expect(classify("The deploy key lives in vault path ops/deploy-2")).toBe("technical");
    expect(classify("Zebras are striped")).toBe("general");
  });

  it("finds categories named in a query, plurals included", () => {
    expect(categoriesInQuery("what are my preferences?", ["preference", "personal"])).toEqual(["preference"]);
    expect(categoriesInQuery("anything", ["preference"])).toEqual([]);
  });
});
