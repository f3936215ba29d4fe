/**
 * "Did you mean …" for misspelled keys and names: optimal-string-alignment distance (Levenshtein
 * plus adjacent transpositions, so `modle` → `model` is one edit) or a prefix match.
 */

/** Edit distance with adjacent transpositions. Inputs are short keys; capped at 64 chars each. */
export function editDistance(a: string, b: string): number {
  const s = a.slice(0, 64);
  const t = b.slice(0, 64);
  const rows = s.length + 1;
  const cols = t.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => d[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1])
        best = Math.min(best, at(i - 2, j - 2) + 1);
      const row = d[i];
      if (row) row[j] = best;
    }
  }
  return at(rows - 1, cols - 1);
}

/** Largest distance still worth suggesting: 1 for very short words, else 2. */
function threshold(word: string): number {
  return word.length <= 3 ? 1 : 2;
}

/**
 * The candidate closest to `word` (case-insensitive), or undefined when none is within 2 edits or a
 * prefix of at least 3 characters in either direction. Ties go to the alphabetically first candidate.
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const needle = word.toLowerCase();
  let best: { name: string; score: number } | undefined;
  for (const name of [...new Set(candidates)].sort()) {
    if (name === word) continue;
    const hay = name.toLowerCase();
    let score = editDistance(needle, hay);
    if (score > threshold(needle)) {
      const prefix =
        Math.min(needle.length, hay.length) >= 3 && (hay.startsWith(needle) || needle.startsWith(hay));
      if (!prefix) continue;
      score = 3;
    }
    if (!best || score < best.score) best = { name, score };
  }
  return best?.name;
}

/** ` (did you mean "model"?)` or "". */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const hit = closest(word, candidates);
  return hit === undefined ? "" : ` (did you mean ${JSON.stringify(hit)}?)`;
}
