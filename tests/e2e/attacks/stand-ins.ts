import { randomBytes } from "node:crypto";
import { appendFileSync, chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeLocalCa } from "../../fixtures/local-ca.js";
import { patchMeshYaml } from "../helpers/fleet-setup.js";

/** Canary values planted in every kind of secret the fleet holds; none may appear anywhere an agent can look. */
export interface Canaries {
  providerKey: string;
  apiKey: string;
  masterKey: string;
  webhookSecret: string;
}

export const makeCanaries = (): Canaries => ({
  providerKey: `olcanary-openai-${randomBytes(12).toString("hex")}`,
  apiKey: `olcanary-echo-${randomBytes(12).toString("hex")}`,
  masterKey: `olcanary-master-${randomBytes(24).toString("hex")}`,
  webhookSecret: `olcanary-hook-${randomBytes(12).toString("hex")}`,
});

/**
 * The HTTPS stand-in for an `apis:` entry (behind a test CA, so the proxy needs egress.extra_ca_bundle):
 * it echoes the injected key in a header, in a trailing-slash redirect, in a redirect to another host and
 * in an error body — everything a real API might do with a key it was given in the query.
 */
const API_STANDIN = `
const https = require("node:https"), fs = require("node:fs");
https.createServer({ cert: fs.readFileSync("/certs/cert.pem"), key: fs.readFileSync("/certs/key.pem") }, (q, s) => {
  const u = new URL(q.url, "https://api-standin");
  const key = u.searchParams.get("api_key") || "";
  if (u.pathname === "/v1/trailing") { s.writeHead(301, { location: "/v1/trailing/" + u.search }); return s.end("moved"); }
  if (u.pathname === "/v1/away") { s.writeHead(302, { location: "https://elsewhere.invalid/x" + u.search }); return s.end(); }
  if (u.pathname === "/v1/echo-header") { s.writeHead(200, { "x-echo-key": key, "content-type": "application/json" }); return s.end("{}"); }
  if (u.pathname === "/v1/error") { s.writeHead(401, { "content-type": "application/json" }); return s.end(JSON.stringify({ error: "bad key " + key })); }
  s.end("ok");
}).listen(8443);`;

/**
 * Edits a fleet made by E2eFleet.init: canaries into .env, the API stand-in (granted to the researcher),
 * its CA as egress.extra_ca_bundle, a webhook with a secret, the brief's subnet pool.
 */
export function plantFleet(dir: string, canaries: Canaries, pool: string, agentImage: string): void {
  const envPath = join(dir, ".env");
  const env = readFileSync(envPath, "utf8").replace(
    /^OPENLEGION_MASTER_KEY=.*$/m,
    `OPENLEGION_MASTER_KEY=${canaries.masterKey}`,
  );
  writeFileSync(
    envPath,
    `${env}\nOPENLEGION_CRED_ECHO_KEY=${canaries.apiKey}\nOPENLEGION_CRED_HOOK_SECRET=${canaries.webhookSecret}\n`,
  );
  const ca = makeLocalCa(["DNS:api-standin"]);
  const certs = join(dir, "standin");
  mkdirSync(certs, { recursive: true });
  for (const [name, pem] of [
    ["ca.pem", ca.caPem],
    ["cert.pem", ca.certPem],
    ["key.pem", ca.keyPem],
  ] as const) {
    writeFileSync(join(certs, name), pem);
    chmodSync(join(certs, name), 0o644);
  }
  patchMeshYaml(dir, {
    apis: {
      echo: { base_url: "https://api-standin:8443/v1", credential: "ECHO_KEY", query: "api_key" },
    },
    egress: { subnet_pool: pool, extra_ca_bundle: "standin/ca.pem" },
    webhooks: [{ name: "canary", agent: "researcher", message: "hook {payload}", secret: "HOOK_SECRET" }],
  });
  const permsPath = join(dir, "config", "permissions.json");
  const perms = JSON.parse(readFileSync(permsPath, "utf8")) as Record<string, { allowed_apis: string[] }>;
  perms.researcher?.allowed_apis.push("echo");
  writeFileSync(permsPath, `${JSON.stringify(perms, null, 2)}\n`);
  appendFileSync(
    join(dir, "docker-compose.override.yml"),
    `  api-standin:
    image: ${agentImage}
    command: ["node", "-e", ${JSON.stringify(API_STANDIN)}]
    volumes:
      - "${certs}:/certs:ro"
    networks: [egress]
    healthcheck:
      disable: true
`,
  );
}
