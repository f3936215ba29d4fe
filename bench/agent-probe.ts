/**
 * Helpers of bench/agent.ts. PROBE_SOURCE is preloaded into the agent process (`--import`): a test-only
 * hook that changes no agent code. It times each POST /chat inside the agent (diagnostics_channel
 * `http.server.request.start` → `http.server.response.finish`) and each provider request of that turn
 * (`undici:request:create` → `undici:request:trailers`, i.e. until the whole response arrived), and on
 * SIGUSR2 runs a full GC and writes those timings and the process memory to $OL_BENCH_PROBE_OUT.
 */
export interface ProbeTurn {
  /** Time inside the agent for the whole turn, ms. */
  ms: number;
  /** CPU time of the agent process (all threads) during the turn, ms: immune to a busy machine. */
  cpuMs: number;
  /** Provider requests of the turn, ms each (request created → last byte received). */
  calls: number[];
  /** Between the end of one provider response and the start of the next request, ms. */
  gaps: number[];
}

export interface ProbeDump {
  turns: ProbeTurn[];
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  /** MB committed per V8 heap space. */
  spaces: Record<string, number>;
}

export const PROBE_SOURCE = `
import dc from "node:diagnostics_channel";
import { writeFileSync } from "node:fs";
import v8 from "node:v8";
const out = process.env.OL_BENCH_PROBE_OUT;
const turns = [];
let cur;
const started = new WeakMap();
dc.subscribe("http.server.request.start", ({ request }) => {
  if (request.method === "POST" && request.url === "/chat")
    cur = { t0: performance.now(), cpu0: process.cpuUsage(), calls: [], gaps: [], lastEnd: undefined };
});
dc.subscribe("http.server.response.finish", ({ request }) => {
  if (!cur || request.method !== "POST" || request.url !== "/chat") return;
  const cpu = process.cpuUsage(cur.cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  if (turns.length < 1000)
    turns.push({ ms: performance.now() - cur.t0, cpuMs, calls: cur.calls, gaps: cur.gaps });
  cur = undefined;
});
dc.subscribe("undici:request:create", ({ request }) => {
  if (!cur || !String(request.path).endsWith("/chat/completions")) return;
  const now = performance.now();
  if (cur.lastEnd !== undefined) cur.gaps.push(now - cur.lastEnd);
  started.set(request, now);
});
dc.subscribe("undici:request:trailers", ({ request }) => {
  const t = started.get(request);
  if (!cur || t === undefined) return;
  cur.lastEnd = performance.now();
  cur.calls.push(cur.lastEnd - t);
});
process.on("SIGUSR2", () => {
  globalThis.gc?.();
  globalThis.gc?.();
  setTimeout(() => {
    globalThis.gc?.();
    const m = process.memoryUsage();
    const spaces = Object.fromEntries(
      v8.getHeapSpaceStatistics().map((s) => [s.space_name, Math.round(s.space_size / 1048576)]),
    );
    writeFileSync(out, JSON.stringify({ turns: turns.splice(0), ...m, spaces }));
  }, 100);
});
`;

type Result = Record<string, string | number | undefined>;

export function renderMarkdown(r: Result): string {
  const row = (metric: string, value: string, goal = "") => `| ${metric} | ${value} | ${goal} |`;
  return `# Agent runtime benchmark

${r.node}, ${r.cpu} (${r.cores} cores), ${r.date}. \`npm run bench:agent\`: the compiled agent
(\`dist/services/agent/main.js\`) and the fake provider each in their own process; the fake's direct
answer to the very same request bodies is measured in the same run, right after each turn.

| Metric | Value | Goal |
| --- | --- | --- |
${row("Idle RSS (start-up, settled 3 s, forced GC)", `${r.idle_rss_mb} MB`, "≤ 80 MB")}
${row("Idle RSS before the forced GC", `${r.idle_rss_before_gc_mb} MB`)}
${row("Idle heap used", `${r.idle_heap_used_mb} MB`)}
${row("RSS / heap used after 100 turns", `${r.rss_after_100_turns_mb} MB / ${r.heap_used_after_100_turns_mb} MB`, "no growth trend")}
${row(`RSS / heap used after ${r.turns} turns`, `${r.rss_after_200_turns_mb} MB / ${r.heap_used_after_200_turns_mb} MB`, "no growth trend")}
${row("Heap used / RSS growth, turns 100 → 200 (settled)", `${r.heap_growth_kb_per_turn_100_200} / ${r.rss_growth_kb_per_turn_100_200} KB/turn`, "≈ 0")}
${row("RSS right after 100 / 200 turns (busy, before the idle trim)", `${r.busy_rss_after_100_turns_mb} / ${r.busy_rss_after_200_turns_mb} MB`)}
${row("Loop overhead per step p50 (p90)", `${r.loop_overhead_ms_per_step_p50} ms (${r.loop_overhead_ms_per_step_p90} ms)`, "≤ 2 ms")}
${row("Agent CPU per step p50 (marginal, all threads)", `${r.cpu_ms_per_step_p50} ms`)}
${row("Agent CPU per 1-step turn p50 (all threads)", `${r.turn_cpu_ms_p50} ms`)}
${row("Gap between provider calls p50 (tool batch + SDK)", `${r.step_gap_ms_p50} ms`)}
${row("Turn overhead p50 (p90), inside the agent", `${r.turn_overhead_ms_p50} ms (${r.turn_overhead_ms_p90} ms)`)}
${row("Turn overhead p50 seen by the client", `${r.turn_overhead_client_ms_p50} ms`)}
${row("Chat turn p50 (client) / same bodies direct p50", `${r.turn_ms_p50} ms / ${r.direct_ms_p50} ms`)}
${row("Start-up to healthy", `${r.startup_ms} ms`)}

- Per step: (overhead of a 5-step turn − overhead of a 1-step turn) / 4 over ${r.step_pairs} interleaved
  pairs; each extra step is a model call answered with one \`read_file\` call (the tool runs too).
- CPU figures: process.cpuUsage() of the agent between the turn's request start and response finish
  (the provider's own time costs the agent no CPU; parsing its stream does). They hold on a busy
  machine, where the wall-clock figures include time spent waiting for a core.
- Turn overhead: time inside the agent (HTTP request start → response finish) minus the fake's direct
  time for the same bodies: HTTP parsing, auth, queue, prompt and memory context, the AI SDK, SQLite,
  the daily log and the reply. The history grows over the run (up to the 400 messages loaded).
- Memory figures are read after a forced full GC in the agent (the bench preloads a probe and runs the
  agent with \`--expose-gc\`); RSS from /proc. "Settled" figures are taken 3 s after the burst, when the
  agent has trimmed its heap (runtime/heap-trim.ts); "busy" ones right after the last turn.
`;
}
