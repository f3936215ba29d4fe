import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { agentToken } from "../../../services/common/tokens.js";
import { buildProxy } from "../../../services/egress-proxy/app.js";
import { loadConfig } from "../../../services/egress-proxy/config.js";
import { fileSecrets } from "../../../services/egress-proxy/secrets.js";
import { type LocalCa, makeLocalCa } from "../../fixtures/local-ca.js";
import { baseConfig, MASTER_KEY, post } from "./harness.js";

/** Finding 11: egress.extra_ca_bundle is trusted for upstream TLS (a TLS-intercepting corporate proxy). */
let ca: LocalCa;
let upstream: Server;
let upstreamUrl: string;
const dirs: string[] = [];

beforeAll(async () => {
  ca = makeLocalCa(["IP:127.0.0.1"]);
  upstream = createServer({ cert: ca.certPem, key: ca.keyPem }, (req, res) => {
    req.resume();
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        id: "c1",
        object: "chat.completion",
        model: "gpt-4o-mini",
        choices: [{ index: 0, message: { role: "assistant", content: "via TLS" }, finish_reason: "stop" }],
        usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
      }),
    );
  });
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  upstreamUrl = `https://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A proxy loaded the way main.ts loads it: config.json (+ extra-ca.pem) from a config dir. */
async function proxyWith(caPem: string | undefined) {
  const dir = mkdtempSync(join(tmpdir(), "ol-proxy-ca-"));
  dirs.push(dir);
  const config = baseConfig(upstreamUrl);
  if (caPem !== undefined) {
    config.extra_ca_file = "extra-ca.pem";
    writeFileSync(join(dir, "extra-ca.pem"), caPem);
  }
  writeFileSync(join(dir, "config.json"), JSON.stringify(config));
  writeFileSync(join(dir, "master_key"), MASTER_KEY);
  writeFileSync(join(dir, "cred_openai_api_key"), "sk-test");
  const proxy = buildProxy({ config: loadConfig(dir), secrets: fileSecrets(dir), dbPath: ":memory:" });
  await new Promise<void>((resolve) => proxy.server.listen(0, "127.0.0.1", resolve));
  return { proxy, url: `http://127.0.0.1:${(proxy.server.address() as AddressInfo).port}` };
}

const hello = { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] };

describe("extra CA bundle", () => {
  test("without it the re-signed upstream is refused (502); with it the call goes through", async () => {
    for (const [pem, status] of [
      [undefined, 502],
      [ca.caPem, 200],
    ] as const) {
      const { proxy, url } = await proxyWith(pem);
      try {
        const res = await post(
          `${url}/llm/openai/v1/chat/completions`,
          agentToken(MASTER_KEY, "alice"),
          hello,
        );
        expect(res.status).toBe(status);
        if (status === 200) expect(res.text).toContain("via TLS");
      } finally {
        await proxy.close();
      }
    }
  });

  test("an unreadable extra_ca_file stops the proxy at boot with OL_ERR_PROXY_CONFIG", () => {
    const dir = mkdtempSync(join(tmpdir(), "ol-proxy-ca-"));
    dirs.push(dir);
    writeFileSync(
      join(dir, "config.json"),
      JSON.stringify({ ...baseConfig(upstreamUrl), extra_ca_file: "nope.pem" }),
    );
    expect(() => loadConfig(dir)).toThrow(/OL_ERR_PROXY_CONFIG|cannot read/);
  });
});
