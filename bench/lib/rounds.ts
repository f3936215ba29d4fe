import { loadavg } from "node:os";

/**
 * The method every bench follows (bench/README.md "Method"): the baseline and the subject run back to back
 * in each round, at least five rounds, and a figure is the median over rounds of the per-round value, with
 * the spread (min and max over rounds) beside it. A round disturbed by other load moves one value, not the
 * median; the load average at start and end says how busy the machine was.
 */
export const median = (values: readonly number[]): number => {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return Number.NaN;
  const mid = v.length >> 1;
  return v.length % 2 ? (v[mid] as number) : ((v[mid - 1] as number) + (v[mid] as number)) / 2;
};

export const round3 = (n: number): number => Math.round(n * 1000) / 1000;

/** `name`, `name_min`, `name_max` from the per-round values (flat, for bench/results/<name>.json). */
export function figure(name: string, perRound: readonly number[]): Record<string, number> {
  const v = perRound.filter((x) => Number.isFinite(x));
  return {
    [name]: round3(median(v)),
    [`${name}_min`]: round3(Math.min(...v)),
    [`${name}_max`]: round3(Math.max(...v)),
  };
}

/** The 1-minute load average and the core count, to record at the start and the end of a run. */
export function machine(prefix: string): Record<string, number> {
  const [one, five] = loadavg();
  return { [`${prefix}_loadavg_1m`]: round3(one ?? 0), [`${prefix}_loadavg_5m`]: round3(five ?? 0) };
}

/** Calls `f` for round 1..n, logging progress to stderr. */
export async function rounds(n: number, f: (round: number) => Promise<void>): Promise<void> {
  for (let r = 1; r <= n; r++) {
    process.stderr.write(`round ${r}/${n} (load ${loadavg()[0]?.toFixed(2)}) …\n`);
    await f(r);
  }
}
