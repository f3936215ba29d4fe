/**
 * Bench child: the HTTP ceiling on this machine. Fastify with the mesh's blackboard route shapes but no
 * auth, SQLite, validation or logging: GET answers a fixed ~1 KiB entry, PUT parses the JSON body and
 * answers a small entry. The driver runs the same load against it in the same run, so the mesh's
 * figures can be read as a fraction of what the HTTP stack alone does here.
 */
import type { AddressInfo } from "node:net";
import Fastify from "fastify";

const app = Fastify({ logger: false });
const entry = JSON.stringify({
  key: "context/a0/k0",
  value: { text: "x".repeat(1000) },
  version: 1,
  updated_by: "a0",
  updated_at: 0,
  expires_at: null,
});
let version = 0;
app.get("/v1/blackboard/*", (_req, reply) => {
  reply.type("application/json").send(entry);
});
app.put("/v1/blackboard/*", (req, reply) => {
  const params = req.params as { "*": string };
  reply.send({ key: params["*"], value: (req.body as { value: unknown }).value, version: ++version });
});
await app.listen({ host: "127.0.0.1", port: 0 });
process.stdout.write(
  `${JSON.stringify({ url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` })}\n`,
);
process.on("SIGTERM", () => void app.close().then(() => process.exit(0)));
