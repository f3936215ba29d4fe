/**
 * Mesh benchmark (STYLE.md "Benchmarks", macro): the mesh runs as its own process through its real entry
 * point (services/mesh/main.ts, logging as in production); a fake agent runs in a second process and a
 * bare-fastify baseline in a third; this process drives load with undici Pools (20 fixed keep-alive
 * connections, one per agent client). In one run it measures: the HTTP baseline, blackboard writes and
 * reads (ops/s, p50/p99), message delivery latency at the agent, mesh RSS with 100 agents' worth of state,
 * writes FULL (default) against OPENLEGION_SQLITE_SYNC=normal, and raw better-sqlite3 inserts (FULL vs NORMAL).
 *   npm run bench:mesh                        (10 s windows)
 *   npm run bench:mesh -- --quick             (< 60 s)
 *   npm run bench:mesh -- --quick --profile   (also --cpu-prof the mesh; summary in results/mesh-profile.txt)
 *   node --no-warnings bench/mesh.ts --profile-phase=read|write   (profile one phase alone, print summary)
 * Writes bench/results/mesh.json (flat numbers) and bench/results/mesh.md.
 */
import { register } from "node:module";

// Node's type stripping does not map the `.js` specifiers of our sources to `.ts`; this hook does.
const hook = `export async function resolve(s, c, n) { try { return await n(s, c); } catch (e) {
  if (/^\\.{1,2}\\//.test(s) && s.endsWith(".js")) return n(s.slice(0, -3) + ".ts", c); throw e; } }`;
register(`data:text/javascript,${encodeURIComponent(hook)}`, import.meta.url);

const phase = process.argv.find((a) => a.startsWith("--profile-phase="))?.split("=")[1];
if (phase === "read" || phase === "write")
  await (await import("./mesh-profile-phase.js")).profilePhase(phase);
else await (await import("./mesh-run.js")).runBench(process.argv.slice(2));
