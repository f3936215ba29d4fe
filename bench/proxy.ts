/**
 * Egress proxy benchmark: JSON and SSE through the proxy vs direct to the fake provider, in one run.
 *   npm run bench:proxy            (full: 3000 sequential requests, 10 s throughput windows)
 *   npm run bench:proxy -- --quick (< 60 s)
 * The servers (fake provider + proxy) run in a child process; this process drives load with undici.
 * Writes bench/results/proxy.json (flat numbers) and bench/results/proxy.md.
 */
import { register } from "node:module";

// Node's type stripping does not map the `.js` specifiers of our sources to `.ts`; this hook does.
const hook = `export async function resolve(s, c, n) { try { return await n(s, c); } catch (e) {
  if (/^\\.{1,2}\\//.test(s) && s.endsWith(".js")) return n(s.slice(0, -3) + ".ts", c); throw e; } }`;
register(`data:text/javascript,${encodeURIComponent(hook)}`, import.meta.url);

const { runBench, serve } = await import("./proxy-run.js");
if (process.argv.includes("--serve")) await serve();
else await runBench(process.argv.includes("--quick"));
