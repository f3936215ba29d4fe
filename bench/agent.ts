/**
 * Agent runtime benchmark: the compiled agent (dist/services/agent/main.js, as in its image) against the
 * fake provider running in its own process (tests/fakes/llm-provider/main.ts), baseline in the same run.
 *   npm run bench:agent [-- --no-build] [-- --cpu-prof] [-- --turns 200]
 *
 * Measures
 * - idle RSS after start-up and a forced GC (plus heap used), before any turn;
 * - RSS and heap used (after GC) at 50/100/150/200 plain chat turns: the growth trend;
 * - per-turn overhead: each turn's time inside the agent (HTTP request start → response finish, from
 *   diagnostics_channel in the agent) minus the time the fake needs to answer the very same request
 *   bodies sent directly (the bench replays each recorded body right after the turn, same answers);
 * - per-step overhead: the marginal cost of one more model step, (overhead of a 5-step turn − overhead of
 *   a 1-step turn) / 4, with the turns interleaved; each extra step runs one `read_file` tool. Plus the
 *   in-process gap between one provider response's end and the next request's start (SDK parsing, tool
 *   batch, history and request building).
 * Writes bench/results/agent.json (flat) and bench/results/agent.md.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { register } from "node:module";
import { createServer } from "node:net";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import type { ProbeDump } from "./agent-probe.js";

// Run from source: map our `./x.js` specifiers to `./x.ts` (as the other benches do).
const hook = `export async function resolve(s, c, n) { try { return await n(s, c); } catch (e) {
  if (/^\\.{1,2}\\//.test(s) && s.endsWith(".js")) return n(s.slice(0, -3) + ".ts", c); throw e; } }`;
register(`data:text/javascript,${encodeURIComponent(hook)}`, import.meta.url);
const { PROBE_SOURCE, renderMarkdown } = await import("./agent-probe.js");

const args = process.argv.slice(2);
const TURNS = Number(args[args.indexOf("--turns") + 1]) || 200;
const STEP_PAIRS = 30;
const MESH_TOKEN = "bench-mesh-token-0123456789abcdef";
const root = join(import.meta.dirname, "..");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const r2 = (x: number) => Math.round(x * 100) / 100;
const mb = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;
const pct = (xs: readonly number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))] ?? Number.NaN;
};
const p50 = (xs: readonly number[]) => pct(xs, 0.5);

const run = (cmd: string, argv: string[]) =>
  new Promise<number>((resolve) => {
    const p = spawn(cmd, argv, { cwd: root, stdio: "ignore" });
    p.on("exit", (code) => resolve(code ?? 1));
  });
if (!args.includes("--no-build")) await run("npm", ["run", "build"]); // other areas' type errors still emit
// --main <file>: another build of the agent (e.g. a previous commit's, for a before/after comparison).
const mainJs = args.includes("--main")
  ? (args[args.indexOf("--main") + 1] ?? "")
  : join(root, "dist/services/agent/main.js");
if (!existsSync(mainJs)) throw new Error(`${mainJs} missing: npm run build failed`);

const freePort = async (): Promise<number> => {
  const s = createServer().listen(0, "127.0.0.1");
  await once(s, "listening");
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
};

// The fake provider in its own process, with its control API.
const fakeProc = spawn(process.execPath, ["--no-warnings", join(root, "tests/fakes/llm-provider/main.ts")], {
  env: { PATH: process.env.PATH ?? "", PORT: "0", HOST: "127.0.0.1", FAKE_CONTROL: "1" },
  stdio: ["ignore", "pipe", "inherit"],
});
const fakeUrl = await new Promise<string>((resolve, reject) => {
  let out = "";
  fakeProc.stdout.on("data", (d: Buffer) => {
    out += d.toString();
    const m = /listening on (http:\/\/\S+)/.exec(out);
    if (m?.[1]) resolve(m[1]);
  });
  fakeProc.on("exit", (code) => reject(new Error(`fake provider exited ${code}`)));
});
const control = async (method: string, path: string, body?: unknown): Promise<unknown> => {
  const res = await fetch(`${fakeUrl}/_fake/${path}`, {
    method,
    ...(body ? { headers: { "content-type": "application/json" }, body: JSON.stringify(body) } : {}),
  });
  if (!res.ok) throw new Error(`fake control ${path}: HTTP ${res.status} ${await res.text()}`);
  return res.status === 204 ? undefined : res.json();
};

// The agent's data root: manifest, secrets, workspace files of a realistic size, a file for read_file.
const dir = await mkdtemp(join(tmpdir(), "ol-bench-agent-"));
for (const d of ["config", "secrets", "data"]) await mkdir(join(dir, d));
const manifest = {
  version: 1,
  id: "bench",
  role: "benchmark",
  model: "openai/gpt-4o-mini",
  fallback_models: [],
  max_tokens: 256,
  temperature: 0,
  browser_backend: "basic",
  mcp_servers: [],
  providers: { openai: "openai" },
  mesh_url: "http://127.0.0.1:9",
  proxy_url: fakeUrl,
  embedding_model: "openai/text-embedding-3-small",
};
await writeFile(join(dir, "config/manifest.json"), JSON.stringify(manifest));
await writeFile(join(dir, "secrets/agent_token"), "bench-agent-token-0123456789abcdef");
await writeFile(join(dir, "secrets/mesh_token"), MESH_TOKEN);
const para = (title: string, n: number) =>
  `# ${title}\n\n${Array.from({ length: n }, (_, i) => `- rule ${i}: keep answers short, cite files, never guess.`).join("\n")}\n`;
for (const [f, n] of [
  ["AGENTS.md", 40],
  ["SOUL.md", 20],
  ["USER.md", 10],
  ["MEMORY.md", 30],
] as const)
  await writeFile(join(dir, "data", f), para(f, n));
await writeFile(join(dir, "data/notes.txt"), para("notes", 20));

const probePath = join(dir, "probe.mjs");
const probeOut = join(dir, "probe.json");
await writeFile(probePath, PROBE_SOURCE);
const port = await freePort();
const profDir = join(root, "bench/results/agent-prof");
const agent = spawn(
  process.execPath,
  [
    "--expose-gc",
    "--import",
    probePath,
    ...(process.env.OL_BENCH_EXTRA_IMPORT ? ["--import", process.env.OL_BENCH_EXTRA_IMPORT] : []),
    ...(args.includes("--cpu-prof") ? ["--cpu-prof", "--cpu-prof-dir", profDir] : []),
    mainJs,
  ],
  {
    env: {
      PATH: process.env.PATH ?? "",
      OPENLEGION_CONFIG_DIR: join(dir, "config"),
      OPENLEGION_SECRETS_DIR: join(dir, "secrets"),
      OPENLEGION_DATA_DIR: join(dir, "data"),
      OPENLEGION_AGENT_HOST: "127.0.0.1",
      OPENLEGION_AGENT_PORT: String(port),
      OPENLEGION_LOG_LEVEL: "warn",
      OL_BENCH_PROBE_OUT: probeOut,
    },
    stdio: ["ignore", "inherit", "inherit"],
  },
);
const agentUrl = `http://127.0.0.1:${port}`;
const auth = { authorization: `Bearer ${MESH_TOKEN}` };
const startedAt = performance.now();
for (;;) {
  if (agent.exitCode !== null) throw new Error(`agent exited ${agent.exitCode}`);
  const up = await fetch(`${agentUrl}/healthz`, { headers: auth }).then(
    (r) => r.ok,
    () => false,
  );
  if (up) break;
  await sleep(50);
}
const startupMs = performance.now() - startedAt;

const procMb = async (field: string): Promise<number> => {
  const status = await readFile(`/proc/${agent.pid}/status`, "utf8");
  return Math.round((Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1]) / 1024) * 10) / 10;
};
const rssMb = () => procMb("VmRSS");
/** Forced GC in the agent, then its memory and the turn timings recorded since the last dump. */
type Mem = ProbeDump & { rss: number; rssAnon: number; rssFile: number };
const dump = async (): Promise<Mem> => {
  await rm(probeOut, { force: true });
  agent.kill("SIGUSR2");
  for (let i = 0; i < 200 && !existsSync(probeOut); i++) await sleep(25);
  await sleep(200);
  const d = JSON.parse(await readFile(probeOut, "utf8")) as ProbeDump;
  if (args.includes("--verbose"))
    process.stderr.write(
      `mem: heapUsed ${mb(d.heapUsed)} heapTotal ${mb(d.heapTotal)} external ${mb(d.external)} rss ${await rssMb()} anon ${await procMb("RssAnon")} file ${await procMb("RssFile")} ${JSON.stringify(d.spaces)}\n`,
    );
  return { ...d, rss: await rssMb(), rssAnon: await procMb("RssAnon"), rssFile: await procMb("RssFile") };
};

await sleep(3000); // start-up settles: the agent trims its heap 2 s after it went idle
const idleRssBeforeGc = await rssMb();
const idle = await dump();

const toolAnswers = (i: number) => [
  ...[0, 1, 2, 3].map((k) => ({
    toolCalls: [{ name: "read_file", args: { path: "notes.txt", offset: k * 7 + (i % 5), limit: 200 } }],
  })),
  { text: `done ${i}` },
];
interface Sample {
  steps: number;
  client: number;
  direct: number;
}
/** One chat turn, then the same request bodies replayed straight to the fake with the same answers. */
const turn = async (i: number, withTools: boolean): Promise<Sample> => {
  await control("POST", "reset");
  const answers = withTools ? toolAnswers(i) : [];
  if (answers.length) await control("POST", "script", { target: "*", answers });
  const t0 = performance.now();
  const res = await fetch(`${agentUrl}/chat`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify({ message: `turn ${i}: say something short`, lane: "followup", from: "bench" }),
  });
  const out = (await res.json()) as { status?: string };
  const client = performance.now() - t0;
  if (out.status !== "completed") throw new Error(`turn ${i}: ${JSON.stringify(out)}`);
  const { requests } = (await control("GET", "requests")) as {
    requests: { route: string; path: string; body: string; headers: Record<string, string> }[];
  };
  const chats = requests.filter((r) => r.route === "openai.chat");
  if (answers.length) await control("POST", "script", { target: "*", answers });
  let direct = 0;
  for (const r of chats) {
    const d0 = performance.now();
    const rr = await fetch(`${fakeUrl}${r.path}`, {
      method: "POST",
      headers: { authorization: r.headers.authorization ?? "", "content-type": "application/json" },
      body: r.body,
    });
    await rr.text();
    direct += performance.now() - d0;
  }
  return { steps: chats.length, client, direct };
};

for (let i = 0; i < 10; i++) await turn(-1 - i, i % 2 === 1);
await dump(); // drop warm-up timings
const plain: Sample[] = [];
const marks: Record<number, Mem> = {};
const settled: Record<number, Mem> = {};
const inside: number[] = [];
const insideCpu: number[] = [];
for (let i = 1; i <= TURNS; i++) {
  plain.push(await turn(i, false));
  if (i % 50 === 0) {
    const m = await dump();
    marks[i] = m;
    inside.push(...m.turns.map((t) => t.ms));
    insideCpu.push(...m.turns.map((t) => t.cpuMs));
    if (i % 100 === 0) {
      await sleep(3000);
      settled[i] = await dump();
    }
  }
}
const pair: {
  one: Sample;
  five: Sample;
  oneIn: number;
  fiveIn: number;
  oneCpu: number;
  fiveCpu: number;
  gaps: number[];
}[] = [];
for (let i = 0; i < STEP_PAIRS; i++) {
  const one = await turn(TURNS + 2 * i, false);
  const five = await turn(TURNS + 2 * i + 1, true);
  const d = await dump();
  const [a, b] = d.turns;
  if (!a || !b || five.steps !== 5) throw new Error(`step pair ${i}: ${JSON.stringify(d.turns)}`);
  pair.push({ one, five, oneIn: a.ms, fiveIn: b.ms, oneCpu: a.cpuMs, fiveCpu: b.cpuMs, gaps: b.gaps });
}

const insideOverhead = plain.map((s, i) => (inside[i] ?? Number.NaN) - s.direct);
const clientOverhead = plain.map((s) => s.client - s.direct);
const perStep = pair.map((p) => (p.fiveIn - p.five.direct - (p.oneIn - p.one.direct)) / 4);
const at = (set: Record<number, Mem>, n: number) => set[n] ?? set[Math.max(...Object.keys(set).map(Number))];
const m100 = at(marks, Math.min(100, TURNS));
const mLast = at(marks, TURNS);
const s100 = at(settled, Math.min(100, TURNS));
const sLast = at(settled, TURNS);
const result = {
  idle_rss_mb: idle.rss,
  idle_rss_before_gc_mb: idleRssBeforeGc,
  idle_heap_used_mb: mb(idle.heapUsed),
  idle_rss_anon_mb: idle.rssAnon,
  idle_rss_file_mb: idle.rssFile,
  rss_after_100_turns_mb: s100?.rss,
  heap_used_after_100_turns_mb: mb(s100?.heapUsed ?? 0),
  rss_after_200_turns_mb: sLast?.rss,
  heap_used_after_200_turns_mb: mb(sLast?.heapUsed ?? 0),
  heap_total_after_200_turns_mb: mb(sLast?.heapTotal ?? 0),
  rss_anon_after_200_turns_mb: sLast?.rssAnon,
  rss_file_after_200_turns_mb: sLast?.rssFile,
  external_after_200_turns_mb: mb(sLast?.external ?? 0),
  busy_rss_after_100_turns_mb: m100?.rss,
  busy_rss_after_200_turns_mb: mLast?.rss,
  busy_heap_total_after_200_turns_mb: mb(mLast?.heapTotal ?? 0),
  heap_growth_kb_per_turn_100_200: r2(
    ((sLast?.heapUsed ?? 0) - (s100?.heapUsed ?? 0)) / 1024 / (TURNS - 100),
  ),
  rss_growth_kb_per_turn_100_200: r2((((sLast?.rss ?? 0) - (s100?.rss ?? 0)) * 1024) / (TURNS - 100)),
  loop_overhead_ms_per_step_p50: r2(p50(perStep)),
  loop_overhead_ms_per_step_p90: r2(pct(perStep, 0.9)),
  cpu_ms_per_step_p50: r2(p50(pair.map((p) => (p.fiveCpu - p.oneCpu) / 4))),
  turn_cpu_ms_p50: r2(p50(insideCpu)),
  step_gap_ms_p50: r2(p50(pair.flatMap((p) => p.gaps))),
  turn_overhead_ms_p50: r2(p50(insideOverhead)),
  turn_overhead_ms_p90: r2(pct(insideOverhead, 0.9)),
  turn_overhead_client_ms_p50: r2(p50(clientOverhead)),
  loop_overhead_ms_p50: r2(p50(insideOverhead)),
  turn_ms_p50: r2(p50(plain.map((s) => s.client))),
  direct_ms_p50: r2(p50(plain.map((s) => s.direct))),
  direct_5_steps_ms_p50: r2(p50(pair.map((p) => p.five.direct))),
  startup_ms: Math.round(startupMs),
  turns: TURNS,
  step_pairs: STEP_PAIRS,
  node: process.version,
  cpu: cpus()[0]?.model ?? "unknown",
  cores: cpus().length,
  date: new Date().toISOString(),
};
agent.kill("SIGTERM");
await once(agent, "exit");
fakeProc.kill("SIGTERM");
await once(fakeProc, "exit");
await rm(dir, { recursive: true, force: true });
if (!args.includes("--no-write")) {
  await writeFile(join(root, "bench/results/agent.json"), `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(join(root, "bench/results/agent.md"), renderMarkdown(result));
}
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
