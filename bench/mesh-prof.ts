/**
 * Summarises a V8 CPU profile (`node --cpu-prof`): top functions by self time, and the same grouped by
 * source file, so a profile of the mesh under load reads as "where does each request's CPU go".
 *   node bench/mesh-prof.ts <file.cpuprofile> [top=25]
 * `npm run bench:mesh -- --quick --profile` writes bench/results/mesh-profile.txt with this summary.
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const short = (url: string): string => {
  const i = url.indexOf("/node_modules/");
  if (i >= 0) return url.slice(i + 14);
  return url.replace(/^file:\/\/.*?\/(services|bench)\//, "$1/") || "(native)";
};

export function summarise(profile: Profile, top = 25): string {
  const byNode = new Map<number, ProfileNode>(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0) || 1;
  const byFn = new Map<string, number>();
  const byFile = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const f = byNode.get(id)?.callFrame;
    if (!f) continue;
    const file = short(f.url);
    const fn = `${f.functionName || "(anonymous)"} ${file}${f.url ? `:${f.lineNumber + 1}` : ""}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + us);
    byFile.set(file, (byFile.get(file) ?? 0) + us);
  }
  const rows = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(
        ([name, us]) =>
          `${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${name}`,
      );
  return [
    `total sampled: ${(total / 1000).toFixed(0)} ms`,
    "",
    "top functions by self time:",
    ...rows(byFn),
    "",
    "by file:",
    ...rows(byFile),
  ].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2];
  if (!file) throw new Error("usage: node bench/mesh-prof.ts <file.cpuprofile> [top]");
  const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
  process.stdout.write(`${summarise(profile, Number(process.argv[3] ?? 25))}\n`);
}
