/**
 * Mesh benchmark: blackboard writes/reads over HTTP with 20 concurrent agent clients, message delivery
 * latency to a loopback agent, RSS at 100 agents' worth of state, and a raw better-sqlite3 baseline.
 *   npm run bench:mesh            (full: 10 s windows; = node --experimental-transform-types bench/mesh.ts)
 *   npm run bench:mesh -- --quick (< 60 s)
 * The mesh (and a fake agent) run in a child process; this process drives load with undici.
 * Writes bench/results/mesh.json (flat numbers) and bench/results/mesh.md.
 */
import { register } from "node:module";

// Node's type stripping does not map the `.js` specifiers of our sources to `.ts`; this hook does.
const hook = `export async function resolve(s, c, n) { try { return await n(s, c); } catch (e) {
  if (/^\\.{1,2}\\//.test(s) && s.endsWith(".js")) return n(s.slice(0, -3) + ".ts", c); throw e; } }`;
register(`data:text/javascript,${encodeURIComponent(hook)}`, import.meta.url);

const { runBench, serve } = await import("./mesh-run.js");
if (process.argv.includes("--serve")) await serve();
else await runBench(process.argv.includes("--quick"));
