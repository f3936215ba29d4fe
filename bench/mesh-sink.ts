/**
 * Bench child: a fake agent in its own process. It accepts inbox pushes, records the delivery latency
 * of each message (`payload.sent_at` was stamped by the driver), and reports them on GET /stats.
 * Plain node:http, no project imports, so it runs with type stripping alone.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

const latencies: number[] = [];
const sink = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    if (req.url === "/inbox") {
      const now = Date.now();
      const body = JSON.parse(Buffer.concat(chunks).toString()) as {
        messages: { payload: { sent_at?: number } }[];
      };
      for (const m of body.messages)
        if (typeof m.payload.sent_at === "number") latencies.push(now - m.payload.sent_at);
      return void res.writeHead(200, { "content-type": "application/json" }).end("{}");
    }
    if (req.url === "/stats") {
      return void res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ delivered: latencies.length, latencies }));
    }
    res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
  });
});
sink.listen(0, "127.0.0.1", () => {
  process.stdout.write(
    `${JSON.stringify({ url: `http://127.0.0.1:${(sink.address() as AddressInfo).port}` })}\n`,
  );
});
process.on("SIGTERM", () => {
  sink.closeAllConnections();
  sink.close(() => process.exit(0));
});
