/**
 * Egress proxy benchmark (issue 5): the fake provider, our proxy (production entry point, info logging) and
 * Portkey's open-source gateway each run as their own process; this process is the load driver.
 *   npm run bench:egress              full run
 *   npm run bench:egress -- --quick   under 60 s
 * Options: --baseline <repo root> also runs the proxy from another source tree (labelled "before");
 *          --profile <dir> writes a --cpu-prof of our proxy there; --no-portkey skips Portkey;
 *          --no-floor skips the bare forwarder (bench/lib/floor-proxy.ts) that shows what any Node proxy costs.
 * Writes bench/results/egress.json (flat numbers) and bench/results/egress.md.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { agentHeaders, PROVIDER_KEY, startEgressStack } from "./lib/egress-stack.js";
import { FAST_MODEL, PACED_MODEL } from "./lib/fake-models.js";
import {
  type ConcurrentResult,
  type ConcurrentRun,
  call,
  chatBody,
  concurrent,
  merge,
  sequential,
  type Target,
  target,
} from "./lib/load.js";
import { cpuMs } from "./lib/processes.js";

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(name);
const option = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const quick = flag("--quick");
const baseline = option("--baseline");
const plan = {
  sequential: quick ? 500 : 3000,
  // Portkey delays the first event of every stream by 25 ms (its stream transform), so sequential SSE is shorter.
  sequentialSse: quick ? 250 : 1000,
  warmup: quick ? 100 : 300,
  rounds: quick ? 2 : 4,
  streams: 200,
  streamSeconds: quick ? 1.5 : 4,
  saturationConnections: 50,
  saturationSeconds: quick ? 1 : 3,
  pacedDelayMs: 20,
  pacedWords: 16,
};

const r3 = (n: number): number => Math.round(n * 1000) / 1000;
const log = (line: string) => process.stderr.write(`${line}\n`);

const stack = await startEgressStack({
  portkey: !flag("--no-portkey"),
  floor: !flag("--no-floor"),
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

const results: Record<string, string | number> = {};
try {
  // Smoke: every path returns a real answer (JSON with choices; SSE through [DONE]).
  for (const t of targets) {
    const json = await call(t, chatBody(FAST_MODEL, false));
    const sse = await call(t, chatBody(FAST_MODEL, true));
    if (json.status !== 200 || sse.status !== 200 || !sse.tail.includes("[DONE]"))
      throw new Error(`${t.name}: smoke check failed (JSON ${json.status}, SSE ${sse.status})`);
  }
  log("sequential JSON …");
  const seqJson = await sequential(targets, chatBody(FAST_MODEL, false), plan.sequential, plan.warmup);
  log("sequential SSE …");
  const seqSse = await sequential(targets, chatBody(FAST_MODEL, true), plan.sequentialSse, plan.warmup / 2);
  // Concurrent phases run in rounds, each round visiting every target, so load from elsewhere on the machine
  // spreads over all targets instead of skewing one.
  const streams = new Map<string, ConcurrentRun[]>();
  const satJson = new Map<string, ConcurrentRun[]>();
  const satSse = new Map<string, ConcurrentRun[]>();
  const add = (m: Map<string, ConcurrentRun[]>, name: string, run: ConcurrentRun) =>
    m.set(name, [...(m.get(name) ?? []), run]);
  for (let round = 1; round <= plan.rounds; round++) {
    for (const t of targets) {
      log(`round ${round}/${plan.rounds}: ${plan.streams} paced SSE streams, ${t.name} …`);
      add(streams, t.name, await measured(t, PACED_MODEL, true, plan.streams, plan.streamSeconds));
    }
    for (const t of targets) {
      log(`round ${round}/${plan.rounds}: saturation c=${plan.saturationConnections}, ${t.name} …`);
      const c = plan.saturationConnections;
      add(satJson, t.name, await measured(t, FAST_MODEL, false, c, plan.saturationSeconds));
      add(satSse, t.name, await measured(t, FAST_MODEL, true, c, plan.saturationSeconds));
    }
  }
  const get = (m: Map<string, ConcurrentRun[]>, name: string) => {
    const runs = m.get(name);
    return runs ? merge(runs) : undefined;
  };

  const d = {
    json: seqJson.get("direct"),
    sse: seqSse.get("direct"),
    streams: get(streams, "direct"),
    satJson: get(satJson, "direct"),
    satSse: get(satSse, "direct"),
  };
  if (!d.json || !d.sse || !d.streams || !d.satJson || !d.satSse) throw new Error("direct run missing");
  Object.assign(results, {
    node: process.version,
    cpu_model: cpus()[0]?.model ?? "unknown",
    cpus: cpus().length,
    commit: commit(),
    mode: quick ? "quick" : "full",
    sequential_requests: plan.sequential,
    sequential_sse_requests: plan.sequentialSse,
    concurrent_streams: plan.streams,
    rounds: plan.rounds,
    stream_seconds_per_round: plan.streamSeconds,
    stream_events: plan.pacedWords,
    stream_event_gap_ms: plan.pacedDelayMs,
    saturation_connections: plan.saturationConnections,
    saturation_seconds_per_round: plan.saturationSeconds,
    json_p50_direct_ms: r3(d.json.p50),
    json_p99_direct_ms: r3(d.json.p99),
    sse_p50_direct_ms: r3(d.sse.p50),
    sse_p99_direct_ms: r3(d.sse.p99),
    stream_ttfb_p99_direct_ms: r3(d.streams.ttfbP99),
    streams_rps_direct: Math.round(d.streams.rps),
    json_saturated_rps_direct: Math.round(d.satJson.rps),
    sse_saturated_rps_direct: Math.round(d.satSse.rps),
    fake_cpu_us_per_json_call: d.satJson.cpuUs,
    fake_cpu_us_per_sse_call: d.satSse.cpuUs,
    fake_cpu_us_per_stream: d.streams.cpuUs,
  });
  for (const t of targets) {
    if (t.name === "direct") continue;
    const json = seqJson.get(t.name);
    const sse = seqSse.get(t.name);
    const st = get(streams, t.name);
    const sj = get(satJson, t.name);
    const ss = get(satSse, t.name);
    if (!json || !sse || !st || !sj || !ss) continue;
    // Our proxy's figures carry the names; the others are prefixed with their label.
    const p = t.name === "proxy" ? "" : `${t.name}_`;
    Object.assign(results, {
      [`${p}overhead_p50_ms`]: r3(json.p50 - d.json.p50),
      [`${p}overhead_p99_ms`]: r3(json.p99 - d.json.p99),
      [`${p}sse_overhead_p50_ms`]: r3(sse.p50 - d.sse.p50),
      [`${p}sse_overhead_p99_ms`]: r3(sse.p99 - d.sse.p99),
      // Paired per round (each round ran direct and this target back to back), then the median over rounds:
      // a round disturbed by other load on the machine moves one pair, not the figure.
      [`${p}sse_ttfb_added_p50_ms`]: r3(paired(streams, t.name, (x, y) => x.ttfbP50 - y.ttfbP50)),
      [`${p}sse_ttfb_added_p99_ms`]: r3(paired(streams, t.name, (x, y) => x.ttfbP99 - y.ttfbP99)),
      [`${p}throughput_ratio_vs_direct`]: r3(paired(streams, t.name, (x, y) => x.rps / y.rps)),
      [`${p}stream_errors`]: st.errors,
      [`${p}json_saturated_ratio_vs_direct`]: r3(paired(satJson, t.name, (x, y) => x.rps / y.rps)),
      [`${p}sse_saturated_ratio_vs_direct`]: r3(paired(satSse, t.name, (x, y) => x.rps / y.rps)),
      [`${p}json_p50_ms`]: r3(json.p50),
      [`${p}json_p99_ms`]: r3(json.p99),
      [`${p}streams_rps`]: Math.round(st.rps),
      [`${p}json_saturated_rps`]: Math.round(sj.rps),
      [`${p}sse_saturated_rps`]: Math.round(ss.rps),
      [`${p}cpu_us_per_json_call`]: sj.cpuUs,
      [`${p}cpu_us_per_sse_call`]: ss.cpuUs,
      [`${p}cpu_us_per_stream`]: st.cpuUs,
    });
  }
} finally {
  await Promise.all(targets.map((t) => t.pool.close()));
  await stack.stop();
}

const out = new URL("./results/", import.meta.url).pathname;
mkdirSync(out, { recursive: true });
writeFileSync(join(out, "egress.json"), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(join(out, "egress.md"), markdown(results));
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);

/** Median over rounds of `f(target's round, direct's same round)`. */
function paired(
  m: Map<string, ConcurrentRun[]>,
  name: string,
  f: (x: ConcurrentResult, y: ConcurrentResult) => number,
): number {
  const mine = m.get(name) ?? [];
  const direct = m.get("direct") ?? [];
  const values = mine
    .map((run, i) => {
      const base = direct[i];
      return base ? f(merge([run]), merge([base])) : Number.NaN;
    })
    .filter((v) => Number.isFinite(v))
    .sort((a, b) => a - b);
  if (values.length === 0) return Number.NaN;
  const mid = values.length >> 1;
  return values.length % 2 ? (values[mid] ?? Number.NaN) : ((values[mid - 1] ?? 0) + (values[mid] ?? 0)) / 2;
}

/** One concurrent run plus the CPU time the server process behind `t` used meanwhile. */
async function measured(t: Target, model: string, stream: boolean, connections: number, seconds: number) {
  const server = stack.children.get(t.name === "direct" ? "fake" : t.name);
  const before = server ? cpuMs(server) : undefined;
  const run = await concurrent(t, chatBody(model, stream), connections, seconds);
  const after = server ? cpuMs(server) : undefined;
  return { ...run, cpuMs: before === undefined || after === undefined ? undefined : after - before };
}

function commit(): string {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}

function markdown(r: Record<string, string | number>): string {
  const row = (label: string, key: string, goal = "") =>
    r[key] === undefined ? "" : `| ${label} | ${r[key]} | ${goal} |\n`;
  return (
    "# Egress proxy benchmark\n\n" +
    `Node ${r.node}, ${r.cpus} × ${r.cpu_model}, commit ${r.commit}, ${r.mode} run. Fake provider, proxy, ` +
    "Portkey and load driver are separate processes on loopback sharing the same cores.\n\n" +
    "| figure | value | goal |\n|---|---|---|\n" +
    row("added latency p50, sequential JSON (ms)", "overhead_p50_ms", "≤ 0.3") +
    row("added latency p99, sequential JSON (ms)", "overhead_p99_ms", "≤ 1.5") +
    row("added latency p50, sequential SSE (ms)", "sse_overhead_p50_ms") +
    row(`added TTFB p99, ${r.concurrent_streams} concurrent SSE streams (ms)`, "sse_ttfb_added_p99_ms") +
    row(
      `throughput vs direct, ${r.concurrent_streams} concurrent SSE streams`,
      "throughput_ratio_vs_direct",
      "≥ 0.9",
    ) +
    row("throughput vs direct, CPU-saturated JSON (c=50)", "json_saturated_ratio_vs_direct") +
    row("throughput vs direct, CPU-saturated SSE (c=50)", "sse_saturated_ratio_vs_direct") +
    row(
      "proxy CPU per JSON call (µs; fake provider: see fake_cpu_us_per_json_call)",
      "cpu_us_per_json_call",
    ) +
    row("proxy CPU per SSE call (µs)", "cpu_us_per_sse_call") +
    row("Portkey added latency p50, sequential JSON (ms)", "portkey_overhead_p50_ms", "proxy clearly lower") +
    row("Portkey added latency p99, sequential JSON (ms)", "portkey_overhead_p99_ms") +
    row(`Portkey added TTFB p99, ${r.concurrent_streams} streams (ms)`, "portkey_sse_ttfb_added_p99_ms") +
    row(
      `Portkey throughput vs direct, ${r.concurrent_streams} streams`,
      "portkey_throughput_ratio_vs_direct",
    ) +
    row("Portkey throughput vs direct, CPU-saturated JSON", "portkey_json_saturated_ratio_vs_direct") +
    row("floor (bare Node forwarder): added latency p50 (ms)", "floor_overhead_p50_ms") +
    row("floor: added latency p99 (ms)", "floor_overhead_p99_ms") +
    row("floor: throughput vs direct, streams", "floor_throughput_ratio_vs_direct") +
    row("floor: throughput vs direct, CPU-saturated JSON", "floor_json_saturated_ratio_vs_direct") +
    row("floor: CPU per JSON call (µs)", "floor_cpu_us_per_json_call") +
    row("before: added latency p50 (ms)", "before_overhead_p50_ms") +
    row("before: added latency p99 (ms)", "before_overhead_p99_ms") +
    row("before: throughput vs direct, streams", "before_throughput_ratio_vs_direct") +
    row("before: throughput vs direct, CPU-saturated JSON", "before_json_saturated_ratio_vs_direct") +
    row("before: proxy CPU per JSON call (µs)", "before_cpu_us_per_json_call") +
    row("before: proxy CPU per SSE call (µs)", "before_cpu_us_per_sse_call") +
    (r.before_overhead_p50_ms === undefined
      ? ""
      : "\n*before*: the proxy run from the tree given with `--baseline`, in the same run.\n") +
    "Floor: bench/lib/floor-proxy.ts, a bare node:http + undici forwarder (no auth, budget or metering).\n" +
    "\nAll figures: bench/results/egress.json.\n"
  );
}
