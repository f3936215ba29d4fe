/**
 * Egress proxy benchmark (issues 5 and 15): the fake provider, our proxy (production entry point, info
 * logging), the floor (bench/lib/floor-proxy.ts: a bare node:http + undici forwarder, the baseline) and
 * Portkey's open-source gateway each run as their own process; this process is the load driver.
 *   npm run bench:egress              full run (7 rounds, and the 200 paced SSE streams phase)
 *   npm run bench:egress -- --quick   5 rounds, under 60 s
 * Options: --baseline <repo root> also runs the proxy from another source tree (labelled "before");
 *          --profile <dir> writes a --cpu-prof of our proxy there; --no-portkey skips Portkey.
 * Method (bench/README.md): every phase visits every target back to back within a round (order rotated per
 * round), figures are medians over rounds with the min and max beside them, CPU per call is read from
 * /proc for each server process, the load average is recorded at start and end.
 * Writes bench/results/egress.json (flat numbers) and bench/results/egress.md.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { agentHeaders, PROVIDER_KEY, startEgressStack } from "./lib/egress-stack.js";
import { FAST_MODEL, PACED_MODEL } from "./lib/fake-models.js";
import { call, concurrent, merge, pct, type Target, target } from "./lib/load.js";
import { cpuMs } from "./lib/processes.js";
import { figure, machine, rounds } from "./lib/rounds.js";

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(name);
const option = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const quick = flag("--quick");
const baseline = option("--baseline");
/** Prompt sizes: calls per target per round (sequential, one at a time). */
const SIZES = [
  { name: "1kb", bytes: 1024, calls: quick ? 120 : 400 },
  { name: "100kb", bytes: 100 * 1024, calls: quick ? 40 : 150 },
  { name: "1mb", bytes: 1024 * 1024, calls: quick ? 8 : 30 },
] as const;
const plan = {
  rounds: quick ? 5 : 7,
  warmup: quick ? 100 : 300,
  sse: quick ? 60 : 300,
  c200Seconds: quick ? 0.7 : 2,
  saturationConnections: 50,
  saturationSeconds: quick ? 0.7 : 2,
  streams: 200,
  streamSeconds: quick ? 0 : 3,
  pacedDelayMs: 20,
  pacedWords: 16,
};

/** A chat body of about `bytes` bytes (the prompt is one user message). */
const chatBody = (model: string, stream: boolean, bytes = 200): string => {
  const base = { model, stream, max_tokens: 64, messages: [{ role: "user", content: "" }] };
  const filler = "benchmark the egress proxy, please. ".repeat(Math.ceil(bytes / 36));
  const message = base.messages[0];
  if (message) message.content = filler.slice(0, Math.max(0, bytes - JSON.stringify(base).length));
  return JSON.stringify(base);
};

const start = machine("start");
const stack = await startEgressStack({
  portkey: !flag("--no-portkey"),
  floor: true,
  pacedDelayMs: plan.pacedDelayMs,
  pacedWords: plan.pacedWords,
  ...(baseline !== undefined && { baselines: { before: baseline } }),
  ...(option("--profile") !== undefined && { profileDir: option("--profile") }),
});
const providerAuth = [{ authorization: `Bearer ${PROVIDER_KEY}` }];
const targets: Target[] = [target("direct", stack.fakeUrl, "/v1/chat/completions", providerAuth)];
for (const [label, origin] of stack.proxies)
  targets.push(target(label, origin, "/llm/openai/v1/chat/completions", agentHeaders()));
if (stack.portkeyUrl) {
  targets.push(
    target("portkey", stack.portkeyUrl, "/v1/chat/completions", [
      {
        ...providerAuth[0],
        "x-portkey-provider": "openai",
        "x-portkey-custom-host": `${stack.fakeUrl}/v1`,
      },
    ]),
  );
}

/** Per target, per measure: one value per round. */
const perRound = new Map<string, number[]>();
const record = (target: string, measure: string, value: number) => {
  const key = `${target}:${measure}`;
  perRound.set(key, [...(perRound.get(key) ?? []), value]);
};
const values = (target: string, measure: string) => perRound.get(`${target}:${measure}`) ?? [];
/** Per-round f(subject's value, baseline's value) for one measure. */
const paired = (subject: string, base: string, measure: string, f: (x: number, y: number) => number) => {
  const a = values(subject, measure);
  const b = values(base, measure);
  return a.map((x, i) => f(x, b[i] ?? Number.NaN));
};
const serverOf = (t: Target) => stack.children.get(t.name === "direct" ? "fake" : t.name);

/** Sequential calls; records p50/p99 (ms) and the server's CPU per call (µs). */
async function sequentialPhase(t: Target, body: string, n: number, measure: string) {
  const server = serverOf(t);
  const before = server ? cpuMs(server) : undefined;
  const totals: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = await call(t, body, i);
    if (s.status !== 200) throw new Error(`${t.name}: HTTP ${s.status}`);
    totals.push(s.total);
  }
  const after = server ? cpuMs(server) : undefined;
  totals.sort((a, b) => a - b);
  record(t.name, `${measure}_p50`, pct(totals, 50));
  record(t.name, `${measure}_p99`, pct(totals, 99));
  if (before !== undefined && after !== undefined)
    record(t.name, `${measure}_cpu_us`, ((after - before) * 1000) / n);
}

/** `connections` callers in a closed loop; records rps, p99 (ms), errors and CPU per call (µs). */
async function concurrentPhase(
  t: Target,
  body: string,
  connections: number,
  seconds: number,
  measure: string,
) {
  const server = serverOf(t);
  const before = server ? cpuMs(server) : undefined;
  const run = await concurrent(t, body, connections, seconds);
  const after = server ? cpuMs(server) : undefined;
  const m = merge([
    { ...run, cpuMs: before === undefined || after === undefined ? undefined : after - before },
  ]);
  record(t.name, `${measure}_rps`, m.rps);
  record(t.name, `${measure}_p99`, m.totalP99);
  record(t.name, `${measure}_ttfb_p99`, m.ttfbP99);
  record(t.name, `${measure}_errors`, m.errors);
  if (typeof m.cpuUs === "number") record(t.name, `${measure}_cpu_us`, m.cpuUs);
}

const results: Record<string, string | number> = {};
try {
  const small = chatBody(FAST_MODEL, false, SIZES[0].bytes);
  // Smoke: every path returns a real answer (JSON with choices; SSE through [DONE]); then warm up.
  for (const t of targets) {
    const json = await call(t, small);
    const sse = await call(t, chatBody(FAST_MODEL, true));
    if (json.status !== 200 || sse.status !== 200 || !sse.tail.includes("[DONE]"))
      throw new Error(`${t.name}: smoke check failed (JSON ${json.status}, SSE ${sse.status})`);
    for (let i = 0; i < plan.warmup; i++) await call(t, small, i);
  }
  const bodies = SIZES.map((size) => ({ ...size, body: chatBody(FAST_MODEL, false, size.bytes) }));
  const sseBody = chatBody(FAST_MODEL, true);
  const pacedBody = chatBody(PACED_MODEL, true);
  await rounds(plan.rounds, async (r) => {
    // Rotate the visiting order so no target always runs first (or right after the heaviest one).
    const order = targets.map((_, i) => targets[(i + r) % targets.length] as Target);
    for (const size of bodies)
      for (const t of order) await sequentialPhase(t, size.body, size.calls, `seq_${size.name}`);
    for (const t of order) await sequentialPhase(t, sseBody, plan.sse, "seq_sse");
    for (const t of order) await concurrentPhase(t, small, 200, plan.c200Seconds, "c200");
    for (const t of order)
      await concurrentPhase(t, small, plan.saturationConnections, plan.saturationSeconds, "sat");
    if (plan.streamSeconds > 0)
      for (const t of order) await concurrentPhase(t, pacedBody, plan.streams, plan.streamSeconds, "streams");
  });

  Object.assign(results, {
    node: process.version,
    cpu_model: cpus()[0]?.model ?? "unknown",
    cpus: cpus().length,
    commit: commit(),
    mode: quick ? "quick" : "full",
    rounds: plan.rounds,
    ...start,
    ...machine("end"),
  });
  const sub = "proxy";
  const diff = (x: number, y: number) => x - y;
  const ratio = (x: number, y: number) => x / y;
  for (const size of SIZES) {
    const m = `seq_${size.name}_p50`;
    Object.assign(results, {
      ...figure(`egress_added_p50_vs_floor_ms_${size.name}`, paired(sub, "floor", m, diff)),
      ...figure(`egress_added_p50_vs_direct_ms_${size.name}`, paired(sub, "direct", m, diff)),
      ...figure(`floor_added_p50_vs_direct_ms_${size.name}`, paired("floor", "direct", m, diff)),
      ...figure(`direct_p50_ms_${size.name}`, values("direct", m)),
      ...figure(`egress_cpu_us_per_call_${size.name}`, values(sub, `seq_${size.name}_cpu_us`)),
      ...figure(`floor_cpu_us_per_call_${size.name}`, values("floor", `seq_${size.name}_cpu_us`)),
    });
  }
  Object.assign(results, {
    ...figure("egress_cpu_per_call_ratio_vs_floor", paired(sub, "floor", "sat_cpu_us", ratio)),
    ...figure("egress_cpu_us_per_call", values(sub, "sat_cpu_us")),
    ...figure("floor_cpu_us_per_call", values("floor", "sat_cpu_us")),
    ...figure("fake_cpu_us_per_call", values("direct", "sat_cpu_us")),
    ...figure("egress_sse_added_p50_vs_floor_ms", paired(sub, "floor", "seq_sse_p50", diff)),
    ...figure("egress_p99_200_ratio_vs_floor", paired(sub, "floor", "c200_p99", ratio)),
    ...figure("egress_p99_200_ms", values(sub, "c200_p99")),
    ...figure("floor_p99_200_ms", values("floor", "c200_p99")),
    ...figure("direct_p99_200_ms", values("direct", "c200_p99")),
    ...figure("egress_rps_ratio_vs_floor", paired(sub, "floor", "sat_rps", ratio)),
    ...figure("egress_saturated_rps", values(sub, "sat_rps")),
    ...figure("floor_saturated_rps", values("floor", "sat_rps")),
    egress_errors: [...perRound]
      .filter(([k]) => k.endsWith("_errors"))
      .reduce((s, [, v]) => s + v.reduce((a, b) => a + b, 0), 0),
  });
  if (stack.portkeyUrl)
    Object.assign(results, {
      ...figure("egress_portkey_rps_ratio", paired(sub, "portkey", "sat_rps", ratio)),
      ...figure("portkey_saturated_rps", values("portkey", "sat_rps")),
      ...figure("portkey_cpu_us_per_call", values("portkey", "sat_cpu_us")),
      ...figure("portkey_added_p50_vs_direct_ms_1kb", paired("portkey", "direct", "seq_1kb_p50", diff)),
    });
  if (plan.streamSeconds > 0)
    Object.assign(results, {
      ...figure("egress_streams_throughput_ratio_vs_direct", paired(sub, "direct", "streams_rps", ratio)),
      ...figure("egress_streams_ttfb_added_p99_ms", paired(sub, "direct", "streams_ttfb_p99", diff)),
    });
  if (baseline !== undefined)
    Object.assign(results, {
      ...figure("before_cpu_per_call_ratio_vs_floor", paired("before", "floor", "sat_cpu_us", ratio)),
      ...figure("before_added_p50_vs_floor_ms_1kb", paired("before", "floor", "seq_1kb_p50", diff)),
      ...figure("before_p99_200_ratio_vs_floor", paired("before", "floor", "c200_p99", ratio)),
    });
} finally {
  await Promise.all(targets.map((t) => t.pool.close()));
  await stack.stop();
}

const out = new URL("./results/", import.meta.url).pathname;
mkdirSync(out, { recursive: true });
writeFileSync(join(out, "egress.json"), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(join(out, "egress.md"), markdown(results));
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);

function commit(): string {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}

function markdown(r: Record<string, string | number>): string {
  const row = (label: string, key: string, goal = "") =>
    r[key] === undefined
      ? ""
      : `| ${label} | ${r[key]} | ${r[`${key}_min`]} – ${r[`${key}_max`]} | ${goal} |\n`;
  return (
    "# Egress proxy benchmark\n\n" +
    `Node ${r.node}, ${r.cpus} × ${r.cpu_model}, commit ${r.commit}, ${r.mode} run, ${r.rounds} rounds, load ` +
    `average ${r.start_loadavg_1m} at start and ${r.end_loadavg_1m} at end. Fake provider, proxy, floor, Portkey ` +
    "and load driver are separate processes on loopback sharing the same cores. Median over rounds; spread = " +
    "min – max over rounds.\n\n" +
    "| figure | median | spread | goal |\n|---|---|---|---|\n" +
    row("CPU per JSON call / floor's (c=50)", "egress_cpu_per_call_ratio_vs_floor", "≤ 1.5") +
    row("proxy CPU per JSON call (µs)", "egress_cpu_us_per_call") +
    row("floor CPU per JSON call (µs)", "floor_cpu_us_per_call") +
    row("added p50 vs floor, 1 KB prompt (ms)", "egress_added_p50_vs_floor_ms_1kb", "≤ 0.1") +
    row("added p50 vs floor, 100 KB prompt (ms)", "egress_added_p50_vs_floor_ms_100kb", "≤ 0.3") +
    row("added p50 vs floor, 1 MB prompt (ms)", "egress_added_p50_vs_floor_ms_1mb") +
    row("proxy CPU per call, 1 MB prompt (µs)", "egress_cpu_us_per_call_1mb") +
    row("floor CPU per call, 1 MB prompt (µs)", "floor_cpu_us_per_call_1mb") +
    row("p99 at 200 concurrent / floor's", "egress_p99_200_ratio_vs_floor", "≤ 2") +
    row("p99 at 200 concurrent (ms)", "egress_p99_200_ms") +
    row("floor p99 at 200 concurrent (ms)", "floor_p99_200_ms") +
    row("req/s vs Portkey (c=50)", "egress_portkey_rps_ratio", "≥ 2.5 in every run") +
    row("req/s vs floor (c=50)", "egress_rps_ratio_vs_floor") +
    row("added SSE p50 vs floor (ms)", "egress_sse_added_p50_vs_floor_ms") +
    row("200 paced streams: throughput vs direct", "egress_streams_throughput_ratio_vs_direct", "≥ 0.9") +
    row("200 paced streams: added TTFB p99 (ms)", "egress_streams_ttfb_added_p99_ms") +
    row("before: CPU per call / floor's", "before_cpu_per_call_ratio_vs_floor") +
    row("before: added p50 vs floor, 1 KB (ms)", "before_added_p50_vs_floor_ms_1kb") +
    row("before: p99 at 200 / floor's", "before_p99_200_ratio_vs_floor") +
    "\nFloor: bench/lib/floor-proxy.ts, a bare node:http + undici forwarder (no auth, budget or metering).\n" +
    "*before*: the proxy run from the tree given with `--baseline`, in the same run.\n" +
    "\nAll figures: bench/results/egress.json.\n"
  );
}
