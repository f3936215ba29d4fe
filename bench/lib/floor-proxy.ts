/**
 * The floor: the thinnest forwarding proxy the same stack allows (node:http in, undici dispatch out, bytes
 * passed through, no auth, budget, metering or SQLite). The egress benchmark runs it next to the real proxy
 * so the report separates what any Node proxy costs on this machine from what ours adds.
 *   UPSTREAM=http://127.0.0.1:PORT PORT=0 node bench/lib/floor-proxy.ts   → prints {"url": …}
 */
import { createServer } from "node:http";
import { Agent, type Dispatcher } from "undici";

const upstream = new URL(process.env.UPSTREAM ?? "http://127.0.0.1:8080").origin;
const key = process.env.BENCH_KEY ?? "sk-bench";
const dispatcher = new Agent({ connections: 256, keepAliveTimeout: 30_000 });
const DROP = new Set([
  "host",
  "connection",
  "content-length",
  "authorization",
  "transfer-encoding",
  "keep-alive",
]);

const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers))
      if (v !== undefined && !DROP.has(k)) headers[k] = String(v);
    headers.authorization = `Bearer ${key}`;
    const body = Buffer.concat(chunks);
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart() {},
      onResponseStart(_c, status, h) {
        const out: Record<string, string | string[]> = {};
        for (const [k, v] of Object.entries(h)) if (v !== undefined && !DROP.has(k)) out[k] = v;
        res.writeHead(status, out);
      },
      onResponseData(_c, chunk) {
        res.write(chunk);
      },
      onResponseEnd() {
        res.end();
      },
      onResponseError() {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      },
    };
    dispatcher.dispatch(
      {
        origin: upstream,
        path: (req.url ?? "/").replace(/^\/llm\/openai/, ""),
        method: "POST",
        headers,
        body,
      },
      handler,
    );
  });
});
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
});
process.on("SIGTERM", () => {
  server.close();
  server.closeAllConnections();
  void dispatcher.close().then(() => process.exit(0));
});
