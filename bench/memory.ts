/**
 * Memory benchmark: hybrid recall (FTS5 top-40 + vec0 top-40 + RRF + salience + access-count update) at
 * 10 k and 100 k facts with 384-dimension vectors from the fake provider's deterministic embedder, in a
 * file DB (WAL + mmap), against two baselines in the same run: FTS-only recall and a brute-force JS cosine
 * scan. Also insert throughput (row + FTS + vec, vectors precomputed), full `save()` throughput and DB size.
 *   npm run bench:memory            (= node --no-warnings bench/memory.ts; 300 queries per size)
 *   npm run bench:memory -- --quick (< 60 s; 60 queries per size)
 * Writes bench/results/memory.json (flat numbers) and bench/results/memory.md. Never asserted by tests.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const hook = "./lib/ts-resolve.ts"; // maps our `.js` specifiers to the `.ts` sources (type stripping)
await import(hook);
const { MemoryService } = await import("../services/agent/memory/memory-service.js");
const { normalizeText } = await import("../services/agent/memory/text.js");
const { embed } = await import("../tests/fakes/llm-provider/embed.js");

const quick = process.argv.includes("--quick");
const DIMS = 384;
const QUERIES = quick ? 60 : 300;
const SIZES = [10_000, 100_000] as const;

let seed = 7;
const rand = (n: number): number => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed % n;
};
const VOCAB = Array.from({ length: 5000 }, (_, i) => `w${i.toString(36)}${"abcdefghij"[i % 10]}`);
const factText = (i: number): string =>
  `${Array.from({ length: 8 + rand(5) }, () => VOCAB[rand(VOCAB.length)]).join(" ")} item ${i}`;

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};
const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;
const embedder = {
  model: "fake-hash",
  dims: DIMS,
  embed: async (texts: readonly string[]) => texts.map((t) => embed(t, DIMS)),
};

async function time(
  queries: readonly string[],
  fn: (q: string) => unknown,
): Promise<{ p50: number; p95: number }> {
  for (const q of queries.slice(0, 5)) await fn(q); // warm-up
  const ms: number[] = [];
  for (const q of queries) {
    const t0 = performance.now();
    await fn(q);
    ms.push(performance.now() - t0);
  }
  return { p50: round(pct(ms, 50)), p95: round(pct(ms, 95)) };
}

const out: Record<string, number | string | boolean> = {
  node: process.version,
  cpus: cpus().length,
  cpu_model: (cpus()[0]?.model ?? "unknown").replace(/\s+\d+-Core Processor$/, "").trim(),
  commit: "unknown",
  mode: quick ? "quick" : "full",
  dims: DIMS,
  queries: QUERIES,
};
try {
  out.commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: here }).toString().trim();
} catch {
  // not a git checkout
}

for (const n of SIZES) {
  const label = n === 10_000 ? "10k" : "100k";
  const root = mkdtempSync(join(tmpdir(), `ol-bench-memory-${label}-`));
  try {
    const m = new MemoryService({ dataRoot: root, embedder });
    const texts = Array.from({ length: n }, (_, i) => factText(i));
    const vectors = texts.map((t) => embed(t, DIMS));
    const t0 = performance.now();
    for (let start = 0; start < n; start += 1000) {
      m.db.transaction(() => {
        for (let i = start; i < Math.min(n, start + 1000); i++) {
          const text = texts[i] as string;
          m.facts.insert(
            {
              key: null,
              text,
              norm: normalizeText(text),
              category: `c${i % 8}`,
              source: "bench",
              salience: 0.5,
            },
            vectors[i],
          );
        }
      })();
    }
    const insertS = (performance.now() - t0) / 1000;
    out[`insert_per_s_${label}`] = Math.round(n / insertS);
    m.db.pragma("wal_checkpoint(TRUNCATE)");
    out[`db_mb_${label}`] = round(statSync(join(root, "memory.db")).size / 1e6, 1);

    // Queries: 3 words of an existing fact plus one random word (hits in both retrievers, like real use).
    const queries = Array.from({ length: QUERIES }, () => {
      const words = (texts[rand(n)] as string).split(" ");
      return `${words.slice(0, 3).join(" ")} ${VOCAB[rand(VOCAB.length)]}`;
    });
    const hybrid = await time(queries, (q) => m.recall({ query: q, limit: 8 }));
    out[`recall_p50_ms_${label}`] = hybrid.p50;
    out[`recall_p95_ms_${label}`] = hybrid.p95;

    const ftsOnly = new MemoryService({ dataRoot: root });
    const fts = await time(queries, (q) => ftsOnly.recall({ query: q, limit: 8 }));
    ftsOnly.close();
    out[`fts_only_p50_ms_${label}`] = fts.p50;
    out[`fts_only_p95_ms_${label}`] = fts.p95;

    // Baseline: the brute-force scan sqlite-vec replaces (JS dot products over every vector, top 40).
    const flat = new Float32Array(n * DIMS);
    for (const [i, v] of vectors.entries()) flat.set(v, i * DIMS);
    const brute = await time(queries, (q) => {
      const qv = embed(q, DIMS);
      const top: { i: number; s: number }[] = [];
      for (let i = 0; i < n; i++) {
        let s = 0;
        const o = i * DIMS;
        for (let d = 0; d < DIMS; d++) s += (flat[o + d] as number) * (qv[d] as number);
        if (top.length < 40 || s > (top[top.length - 1] as { s: number }).s) {
          top.push({ i, s });
          top.sort((a, b) => b.s - a.s);
          if (top.length > 40) top.pop();
        }
      }
      return top;
    });
    out[`brute_force_p50_ms_${label}`] = brute.p50;

    if (n === 10_000) {
      // Full save(): validation, dedupe/near-duplicate checks, FTS + vec insert (embedding in-process).
      const saves = quick ? 1000 : 3000;
      const s0 = performance.now();
      for (let i = 0; i < saves; i++) await m.save({ text: factText(n + i), log: false });
      out.save_per_s_10k = Math.round(saves / ((performance.now() - s0) / 1000));
    }
    m.close();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
out.insert_per_s = out.insert_per_s_100k as number;

const results = join(here, "results");
writeFileSync(join(results, "memory.json"), `${JSON.stringify(out, null, 2)}\n`);
const table = Object.entries(out)
  .map(([k, v]) => `| ${k} | ${v} |`)
  .join("\n");
writeFileSync(
  join(results, "memory.md"),
  `# Memory benchmark\n\nGoals: recall p50 ≤ 10 ms at 10 k, ≤ 60 ms at 100 k (384-d, one core, query embedding excluded).\n\n| metric | value |\n|---|---|\n${table}\n`,
);
console.log(JSON.stringify(out, null, 2));
