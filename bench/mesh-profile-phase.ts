/**
 * Profiles one phase of the mesh benchmark in isolation (seeding is not profiled separately):
 *   node --no-warnings bench/mesh.ts --profile-phase=read|write   (prints the self-time summary)
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pool, readOp, seed, startMesh, stopMesh, window, writeOp } from "./mesh-lib.js";
import { summarise } from "./mesh-prof.js";

export async function profilePhase(phase: "read" | "write", seconds = 4): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "ol-bench-prof-"));
  const mesh = await startMesh("http://127.0.0.1:9", "normal", dir);
  const p = pool(mesh.url);
  if (phase === "read") await seed(p);
  const result = await window(seconds, phase === "read" ? readOp(p) : writeOp(p));
  await p.close();
  await stopMesh(mesh);
  const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
  if (file) process.stdout.write(`${summarise(JSON.parse(readFileSync(join(dir, file), "utf8")), 40)}\n`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  if (process.env.BENCH_KEEP_PROFILE) process.stdout.write(`profile kept in ${dir}\n`);
  else rmSync(dir, { recursive: true, force: true });
}
