/**
 * Top self-time functions of a V8 .cpuprofile (from `node --cpu-prof`), e.g. the proxy's under bench load:
 *   node bench/lib/cpuprofile-top.ts <file.cpuprofile> [count]
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

const [file, countArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write("usage: cpuprofile-top.ts <file.cpuprofile> [count]\n");
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, "utf8")) as {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
};
const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<string, number>();
const total = profile.nodes.reduce((sum, n) => sum + (n.hitCount ?? 0), 0);
for (const n of profile.nodes) {
  const { functionName, url, lineNumber } = n.callFrame;
  const where = url
    ? `${url.replace(/^file:\/\/.*?\/(node_modules|services|bench|tests)\//, "$1/")}:${lineNumber + 1}`
    : "";
  const key = `${functionName || "(anonymous)"} ${where}`.trim();
  self.set(key, (self.get(key) ?? 0) + (n.hitCount ?? 0));
}
// Inclusive time by source area, to see where the non-idle time goes.
const area = new Map<string, number>();
const inclusive = (id: number, seen: Set<string>): void => {
  const n = byNode.get(id);
  if (!n) return;
  const m = /(node_modules\/[^/]+|services\/[^/]+\/[^/]+|node:[a-z_/]+)/.exec(n.callFrame.url);
  const key = m?.[1];
  const next = new Set(seen);
  if (key && !seen.has(key)) {
    area.set(key, (area.get(key) ?? 0) + 0);
    next.add(key);
  }
  for (const k of next) area.set(k, (area.get(k) ?? 0) + (n.hitCount ?? 0));
  for (const c of n.children ?? []) inclusive(c, next);
};
const root = profile.nodes[0];
if (root) inclusive(root.id, new Set());
const pctOf = (v: number) => `${((100 * v) / total).toFixed(1).padStart(5)} %`;
const top = Number(countArg ?? "40");
process.stdout.write(
  `samples ${total}, ${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s\n\nself time:\n`,
);
for (const [key, hits] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top))
  process.stdout.write(`${pctOf(hits)}  ${key}\n`);
process.stdout.write("\ninclusive by area:\n");
for (const [key, hits] of [...area].sort((a, b) => b[1] - a[1]).slice(0, 30))
  process.stdout.write(`${pctOf(hits)}  ${key}\n`);
