/**
 * Fleet benchmark (issue 8): time from `openlegion up -d` to all-healthy and memory per agent for
 * fleets of 1, 10 and 50 agents, plus image sizes → bench/results/fleet.json.
 *   npm run bench:fleet            1, 10, 50 agents
 *   npm run bench:fleet -- --quick 1 agent only
 * Uses the compiled CLI (bin/openlegion.js) and the local Docker daemon; every fleet is removed
 * (`down --volumes --yes`) afterwards. Not a test: nothing here asserts timings.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const BIN = join(ROOT, "bin", "openlegion.js");
const quick = process.argv.includes("--quick");
const sizes = quick ? [1] : [1, 10, 50];
const version = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;

const run = (file: string, args: string[], env: Record<string, string> = {}): string =>
  execFileSync(file, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 64 << 20,
  });
const cli = (args: string[], env: Record<string, string> = {}) => run(process.execPath, [BIN, ...args], env);

function bytes(text: string): number {
  const m = /^([\d.]+)\s*([KMG]i?B|B)$/i.exec(text.trim());
  if (!m) return 0;
  const unit: Record<string, number> = {
    b: 1,
    kib: 1024,
    mib: 1024 ** 2,
    gib: 1024 ** 3,
    kb: 1e3,
    mb: 1e6,
    gb: 1e9,
  };
  return Number(m[1]) * (unit[m[2]!.toLowerCase()] ?? 1);
}

function imageMb(service: string): number {
  return (
    Math.round(
      Number(
        run("docker", [
          "image",
          "inspect",
          "--format",
          "{{.Size}}",
          `openlegion/${service}:${version}`,
        ]).trim(),
      ) / 1e5,
    ) / 10
  );
}

interface Tier {
  agents: number;
  up_s: number;
  rss_total_mb: number;
  rss_per_agent_mb: number;
}

function tier(n: number, port: number): Tier {
  const dir = mkdtempSync(join(tmpdir(), "olbench-"));
  const project = `olbench${n}x${process.pid}`;
  const env = { COMPOSE_PROJECT_NAME: project, BENCH_KEY: "sk-bench-not-used" };
  try {
    cli(["init", dir, "--template", "starter", "--yes", "--api-key-env", "BENCH_KEY"], env);
    const meshYaml = join(dir, "config", "mesh.yaml");
    writeFileSync(meshYaml, readFileSync(meshYaml, "utf8").replace("port: 8420", `port: ${port}`));
    for (let i = 1; i < n; i++) cli(["agent", "add", `a${i}`, "--dir", dir, "--role", "Bench"], env);
    cli(["render", dir], env);
    const started = performance.now();
    cli(["up", dir, "-d", "--no-render", "--timeout", "600"], env);
    const upS = Math.round((performance.now() - started) / 100) / 10;
    const names = run("docker", [
      "ps",
      "--format",
      "{{.Names}}",
      "--filter",
      `label=com.docker.compose.project=${project}`,
    ])
      .trim()
      .split("\n");
    const stats = run("docker", ["stats", "--no-stream", "--format", "{{.Name}} {{.MemUsage}}", ...names]);
    let agentsMem = 0;
    let total = 0;
    for (const line of stats.trim().split("\n")) {
      const [name = "", used = ""] = line.split(" ");
      const b = bytes(used);
      total += b;
      if (name.includes("_agent-")) agentsMem += b;
    }
    process.stdout.write(
      `${n} agent(s): healthy after ${upS}s, ${(total / 2 ** 20).toFixed(0)} MiB in total\n`,
    );
    return {
      agents: n,
      up_s: upS,
      rss_total_mb: Math.round(total / 2 ** 20),
      rss_per_agent_mb: Math.round((agentsMem / n / 2 ** 20) * 10) / 10,
    };
  } finally {
    try {
      cli(["down", dir, "--volumes", "--yes"], env);
    } catch {
      // best effort: leave nothing behind, report the numbers we have
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

cli(["build"]);
const images = {
  agent_image_mb: imageMb("agent"),
  mesh_image_mb: imageMb("mesh"),
  egress_proxy_image_mb: imageMb("egress-proxy"),
};
const tiers = sizes.map((n, i) => tier(n, 28_420 + i));
const byN = (n: number) => tiers.find((t) => t.agents === n);
const result = {
  date: new Date().toISOString(),
  node: process.version,
  cpu: `${cpus().length} × ${cpus()[0]?.model ?? "?"}`,
  engine: run("docker", ["version", "--format", "{{.Server.Version}}"]).trim(),
  quick,
  up_1_s: byN(1)?.up_s ?? null,
  up_10_s: byN(10)?.up_s ?? null,
  up_50_s: byN(50)?.up_s ?? null,
  rss_per_agent_mb: (byN(10) ?? byN(1))?.rss_per_agent_mb ?? null,
  ...images,
  tiers,
};
mkdirSync(join(ROOT, "bench", "results"), { recursive: true });
writeFileSync(join(ROOT, "bench", "results", "fleet.json"), `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
