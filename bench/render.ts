// npm run bench:render — renders fleets of 10, 100 and 500 agents, each in a fresh `openlegion
// render` process (the user-visible cost, process start included), next to a bare `node -e 0`
// baseline in the same run. Needs the build (dist/); writes bench/results/render.{json,md}.
// Runs on Node ≥ 22.6 type stripping: plain TypeScript, node builtins only.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const CLI = join(ROOT, "bin", "openlegion.js");
const SIZES = [10, 100, 500];
const RUNS = 5;
const MASTER_KEY = Buffer.alloc(32, 9).toString("base64url");

function writeFleet(dir: string, agents: number): void {
  mkdirSync(join(dir, "config"), { recursive: true });
  const ids = Array.from({ length: agents }, (_, i) => `agent${String(i).padStart(4, "0")}`);
  const agentsYaml = ["agents:"];
  for (const id of ids) {
    agentsYaml.push(
      `  ${id}:`,
      `    role: worker ${id}`,
      "    model: openai/gpt-4o-mini",
      "    system_prompt: Do the work.",
      "    allowed_hosts: [api.github.com]",
    );
  }
  writeFileSync(join(dir, "config/agents.yaml"), `${agentsYaml.join("\n")}\n`);
  const perms = Object.fromEntries(
    ids.map((id, i) => [
      id,
      { can_message: [ids[(i + 1) % ids.length]], blackboard_read: ["tasks/*"], allowed_apis: ["llm"] },
    ]),
  );
  writeFileSync(join(dir, "config/permissions.json"), JSON.stringify(perms, null, 2));
  writeFileSync(join(dir, "config/mesh.yaml"), "mesh:\n  port: 8420\n");
  writeFileSync(
    join(dir, ".env"),
    `OPENLEGION_MASTER_KEY=${MASTER_KEY}\nOPENLEGION_CRED_OPENAI_API_KEY=sk-bench\n`,
    { mode: 0o600 },
  );
}

function timeMs(cmd: string, args: string[]): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ["ignore", "ignore", "pipe"] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr.toString()}`);
  return ms;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.floor(s.length / 2)]! * 10) / 10;
};

const results: Record<string, number | string> = {
  node: process.version,
  cpu: cpus()[0]?.model ?? "unknown",
  cpus: cpus().length,
  runs: RUNS,
  node_startup_ms: median(Array.from({ length: RUNS }, () => timeMs(process.execPath, ["-e", "0"]))),
};
for (const n of SIZES) {
  const dirs = Array.from({ length: RUNS }, () => mkdtempSync(join(tmpdir(), `ol-bench-render-${n}-`)));
  try {
    for (const dir of dirs) writeFleet(dir, n);
    // First render of a fresh fleet: every compose/ file and every secret file is written.
    results[`agents_${n}_ms`] = median(dirs.map((dir) => timeMs(process.execPath, [CLI, "render", dir])));
    // Re-render with nothing changed (compile + serialize + compare, no writes), and the CI gate.
    results[`agents_${n}_rerender_ms`] = median(
      dirs.map((dir) => timeMs(process.execPath, [CLI, "render", dir])),
    );
    results[`agents_${n}_check_ms`] = median(
      dirs.map((dir) => timeMs(process.execPath, [CLI, "render", dir, "--check"])),
    );
  } finally {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}
mkdirSync(join(ROOT, "bench/results"), { recursive: true });
writeFileSync(join(ROOT, "bench/results/render.json"), `${JSON.stringify(results, null, 2)}\n`);
const rows = SIZES.map(
  (n) =>
    `| ${n} | ${results[`agents_${n}_ms`]} | ${results[`agents_${n}_rerender_ms`]} | ${results[`agents_${n}_check_ms`]} |`,
);
writeFileSync(
  join(ROOT, "bench/results/render.md"),
  [
    `# openlegion render (fresh process per run, median of ${RUNS})`,
    "",
    `Node ${results.node}, ${results.cpus} × ${results.cpu}; \`node -e 0\` baseline ${results.node_startup_ms} ms.`,
    "",
    "| agents | first render ms | re-render ms | render --check ms |",
    "|---:|---:|---:|---:|",
    ...rows,
    "",
  ].join("\n"),
);
console.log(JSON.stringify(results, null, 2));
