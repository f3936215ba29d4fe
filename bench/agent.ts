/**
 * Agent runtime benchmark: the real agent process (services/agent/main.ts) against the fake provider.
 *   npm run bench:agent
 * The agent runs compiled (tsc into node_modules/.cache/openlegion-bench-agent), as in its image.
 * Measures the agent's idle RSS, RSS after 100 chat turns, and the per-turn overhead of our loop:
 * p50 of a chat turn through the agent minus p50 of the same streamed completion asked of the fake
 * provider directly (so the overhead includes the agent's HTTP hop, prompt assembly, SQLite and the
 * daily log). Writes bench/results/agent.json and bench/results/agent.md.
 */
import { register } from "node:module";

const hook = `export async function resolve(s, c, n) { try { return await n(s, c); } catch (e) {
  if (/^\\.{1,2}\\//.test(s) && s.endsWith(".js")) return n(s.slice(0, -3) + ".ts", c); throw e; } }`;
register(`data:text/javascript,${encodeURIComponent(hook)}`, import.meta.url);

const { spawn } = await import("node:child_process");
const { mkdir, mkdtemp, readFile, rm, writeFile } = await import("node:fs/promises");
const { cpus, tmpdir } = await import("node:os");
const { join } = await import("node:path");
const { startFakeProvider } = await import("../tests/fakes/llm-provider/index.js");

const TURNS = 100;
const DIRECT = 100;
const MESH_TOKEN = "bench-mesh-token-0123456789abcdef";
const root = join(import.meta.dirname, "..");

const rssMb = async (pid: number): Promise<number> => {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round((kb / 1024) * 10) / 10;
};
const p50 = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const fake = await startFakeProvider();
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
  proxy_url: fake.url,
  embedding_model: "openai/text-embedding-3-small",
};
await writeFile(join(dir, "config/manifest.json"), JSON.stringify(manifest));
await writeFile(join(dir, "secrets/agent_token"), "bench-agent-token-0123456789abcdef");
await writeFile(join(dir, "secrets/mesh_token"), MESH_TOKEN);

// Compile like the image does (tsc emits even if an unrelated file of another area has type errors).
const outDir = join(root, "node_modules/.cache/openlegion-bench-agent");
await new Promise<void>((resolve) => {
  const tsc = spawn(
    process.execPath,
    [
      join(root, "node_modules/typescript/bin/tsc"),
      "-p",
      join(root, "tsconfig.json"),
      "--outDir",
      outDir,
      "--sourceMap",
      "false",
    ],
    { stdio: "ignore" },
  );
  tsc.on("exit", () => resolve());
});
const child = spawn(process.execPath, [join(outDir, "services/agent/main.js")], {
  env: {
    PATH: process.env.PATH ?? "",
    OPENLEGION_CONFIG_DIR: join(dir, "config"),
    OPENLEGION_SECRETS_DIR: join(dir, "secrets"),
    OPENLEGION_DATA_DIR: join(dir, "data"),
    OPENLEGION_AGENT_HOST: "127.0.0.1",
    OPENLEGION_AGENT_PORT: "0",
    OPENLEGION_LOG_LEVEL: "warn",
  },
  stdio: ["ignore", "pipe", "inherit"],
});
const url = await new Promise<string>((resolve, reject) => {
  let out = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const t = setInterval(async () => {
    // The agent logs at warn; find its port from /proc instead of stdout.
    try {
      const res = await fetch(`http://127.0.0.1:${await portOf(child.pid ?? 0)}/healthz`, {
        headers: { authorization: `Bearer ${MESH_TOKEN}` },
      });
      if (res.ok) {
        clearInterval(t);
        resolve(res.url.replace(/\/healthz$/, ""));
      }
    } catch {
      // not up yet
    }
  }, 100);
  child.on("exit", (code) => reject(new Error(`agent exited ${code}: ${out}`)));
});

/** The TCP port the agent listens on, from /proc/net/tcp (state 0A = LISTEN) and its socket inodes. */
async function portOf(pid: number): Promise<number> {
  const { readdir, readlink } = await import("node:fs/promises");
  const inodes = new Set<string>();
  for (const fd of await readdir(`/proc/${pid}/fd`)) {
    const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => "");
    const m = /^socket:\[(\d+)\]$/.exec(link);
    if (m?.[1]) inodes.add(m[1]);
  }
  for (const line of (await readFile("/proc/net/tcp", "utf8")).split("\n").slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols[3] === "0A" && inodes.has(cols[9] ?? ""))
      return Number.parseInt(cols[1]?.split(":")[1] ?? "0", 16);
  }
  throw new Error("no listening socket yet");
}

await sleep(2000);
const idle = await rssMb(child.pid ?? 0);

const chatTurn = async (i: number): Promise<number> => {
  const t0 = performance.now();
  const res = await fetch(`${url}/chat`, {
    method: "POST",
    headers: { authorization: `Bearer ${MESH_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ message: `turn ${i}: say something short`, lane: "followup", from: "bench" }),
  });
  await res.json();
  return performance.now() - t0;
};
const direct = async (): Promise<number> => {
  const t0 = performance.now();
  const res = await fetch(`${fake.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: "Bearer x", "content-type": "application/json" },
    body: JSON.stringify({
      model: "gpt-4o-mini",
      stream: true,
      messages: [{ role: "user", content: "say something short" }],
    }),
  });
  await res.text();
  return performance.now() - t0;
};

for (let i = 0; i < 10; i++) await direct();
const directMs: number[] = [];
for (let i = 0; i < DIRECT; i++) directMs.push(await direct());
// The agent's turns reset between samples so history growth does not skew the loop overhead.
const turnMs: number[] = [];
for (let i = 0; i < TURNS; i++) turnMs.push(await chatTurn(i));
const after = await rssMb(child.pid ?? 0);

const result = {
  idle_rss_mb: idle,
  rss_after_100_turns_mb: after,
  loop_overhead_ms_p50: Math.round((p50(turnMs) - p50(directMs)) * 100) / 100,
  turn_ms_p50: Math.round(p50(turnMs) * 100) / 100,
  direct_ms_p50: Math.round(p50(directMs) * 100) / 100,
  turns: TURNS,
  node: process.version,
  cpu: cpus()[0]?.model ?? "unknown",
  cores: cpus().length,
  date: new Date().toISOString(),
};
child.kill("SIGTERM");
await new Promise((r) => child.on("exit", r));
await fake.close();
await rm(dir, { recursive: true, force: true });
await mkdir(join(root, "bench/results"), { recursive: true });
await writeFile(join(root, "bench/results/agent.json"), `${JSON.stringify(result, null, 2)}\n`);
const md = `# Agent runtime benchmark\n\n${result.node}, ${result.cpu} (${result.cores} cores), ${result.date}\n\n| Metric | Value | Goal |\n| --- | --- | --- |\n| Idle RSS | ${result.idle_rss_mb} MB | ≤ 80 MB |\n| RSS after ${TURNS} chat turns | ${result.rss_after_100_turns_mb} MB | no growth trend |\n| Chat turn p50 (agent) | ${result.turn_ms_p50} ms | |\n| Same completion p50 (fake direct) | ${result.direct_ms_p50} ms | |\n| Loop overhead p50 | ${result.loop_overhead_ms_p50} ms | ≤ 2 ms per step |\n`;
await writeFile(join(root, "bench/results/agent.md"), md);
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
