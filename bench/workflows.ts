/**
 * Workflow engine benchmark (issue 10): `npm run bench:workflows` (`-- --quick` < 60 s).
 *  1. 1 000 runs of a 5-step diamond DAG (a → b,c → d → e) through the real WorkflowRunner on a real
 *     SQLite file (WAL), with instant in-process fake agents: the sink answers each dispatch at once.
 *     Step dispatch latency = time from the event that made a step eligible (run start or upstream
 *     result) to its dispatch reaching the sink; runs/s over the whole batch (50 runs in flight).
 *  2. Baselines in the same run: the pure engine alone (no SQLite), and a bare SQLite IMMEDIATE
 *     transaction (one insert + one update), the floor of one durable transition.
 *  3. Schedule accuracy: 100 `every 1m` jobs over 10 simulated minutes with a 60× clock, driven like the
 *     scheduler's own loop (sleep until the earliest next_run_at, then tick); fire-time error in real ms.
 * Writes bench/results/workflows.json and bench/results/workflows.md.
 */
import { register } from "node:module";

const hook = `export async function resolve(s, c, n) { try { return await n(s, c); } catch (e) {
  if (/^\\.{1,2}\\//.test(s) && s.endsWith(".js")) return n(s.slice(0, -3) + ".ts", c); throw e; } }`;
register(`data:text/javascript,${encodeURIComponent(hook)}`, import.meta.url);

const { runWorkflowBench } = await import("./workflows-run.js");
await runWorkflowBench(process.argv.slice(2));
