/**
 * Skills benchmark: the cost of the sandbox boundary (docs/decisions/agent.md, "Skills run in a V8
 * isolate"). Measured in the same run: a bare isolate start (isolate + context), a full skill call in
 * a fresh isolate (what the agent does per call: bootstrap, compile, evaluate, call, dispose), the same
 * handler called in-process (baseline: no boundary), and a Node child process start (`node -e 0`, the
 * out-of-process alternative's floor).
 *   npm run bench:skills            (200 calls)
 *   npm run bench:skills -- --quick (< 60 s; 40 calls)
 * Writes bench/results/skills.json (flat numbers). Never asserted by tests.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const hook = "./lib/ts-resolve.ts"; // maps our `.js` specifiers to the `.ts` sources (type stripping)
await import(hook);
const ivm = (await import("isolated-vm")).default;
const { runSkill } = await import("../services/agent/skills/sandbox.js");

const quick = process.argv.includes("--quick");
const CALLS = quick ? 40 : 200;
const CHILDREN = quick ? 10 : 30;

const CODE = `export const manifest = { name: "shout", description: "d", input_schema: { type: "object" } };
export async function handler(input) { return { text: input.text.toUpperCase() }; }`;
const handler = async (input: { text: string }) => ({ text: input.text.toUpperCase() });
const caps = { http: async () => null, readScratch: async () => "", writeScratch: async () => "" };
const signal = new AbortController().signal;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
};
async function time(n: number, fn: () => unknown): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}
const round = (x: number) => Math.round(x * 1000) / 1000;

process.stderr.write(`skills bench: ${CALLS} calls, ${CHILDREN} child processes\n`);
await time(10, () => runSkill(CODE, "shout.js", { text: "hi" }, caps, { timeoutMs: 5000, signal })); // warm-up
const direct = await time(CALLS, () => JSON.parse(JSON.stringify(handler({ text: "hi" }))));
const start = await time(CALLS, async () => {
  const iso = new ivm.Isolate({ memoryLimit: 32 });
  await iso.createContext();
  iso.dispose();
});
const call = await time(CALLS, () =>
  runSkill(CODE, "shout.js", { text: "hi" }, caps, { timeoutMs: 5000, signal }),
);
const child = await time(CHILDREN, () => execFileSync(process.execPath, ["-e", "0"]));
const rssMb = process.memoryUsage().rss / 1e6;

const results = {
  baseline_direct_call_ms: round(median(direct)),
  isolate_start_ms: round(median(start)),
  skill_call_ms: round(median(call)),
  skill_call_overhead_ms: round(median(call) - median(direct)),
  node_child_start_ms: round(median(child)),
  rss_after_calls_mb: round(rssMb),
  calls: CALLS,
  load_average_1m: round(loadavg()[0] ?? 0),
};
writeFileSync(join(here, "results", "skills.json"), `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write(
  `${Object.entries(results)
    .map(([k, v]) => `${k.padEnd(26)} ${v}`)
    .join("\n")}\n`,
);
