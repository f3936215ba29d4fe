// Container healthcheck without curl or wget: GET http://127.0.0.1:<port>/healthz with Node's fetch.
// Usage: node /opt/openlegion/healthcheck.mjs <port>. Exit 0 only on a 2xx within 4 s.
// Inside an agent the API accepts only the mesh token, so the script presents it when the container
// holds one (the agent's own secret file; it never leaves the container and is never printed).
import { readFileSync } from "node:fs";
import { join } from "node:path";

const port = Number(process.argv[2] ?? process.env.OPENLEGION_PORT);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  process.stderr.write("healthcheck: usage: healthcheck.mjs <port>\n");
  process.exit(2);
}
const headers = {};
try {
  const dir = process.env.OPENLEGION_SECRETS_DIR || "/run/secrets";
  const token = readFileSync(join(dir, "mesh_token"), "utf8").trim();
  if (token) headers.authorization = `Bearer ${token}`;
} catch {
  // No mesh token here (mesh, egress-proxy): /healthz is open on those.
}
try {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`, { headers, signal: AbortSignal.timeout(4000) });
  await res.arrayBuffer();
  process.exit(res.ok ? 0 : 1);
} catch (error) {
  process.stderr.write(`healthcheck: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
