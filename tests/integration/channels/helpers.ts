import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { expect } from "vitest";
import { CHANNEL_PROXY_APIS } from "../../../services/common/channel-egress.js";
import type { ProxyConfig } from "../../../services/common/contracts/proxy-config.js";
import { credentialSecretName } from "../../../services/common/ports.js";
import { buildProxy } from "../../../services/egress-proxy/app.js";
import { fileSecrets } from "../../../services/egress-proxy/secrets.js";
import { waitFor } from "../agent/mesh-stack.js";
import { MASTER, OPERATOR } from "../mesh/helpers.js";

export interface ChannelRow {
  name: string;
  state: string;
  detail: string | null;
  owner: string | null;
  allowed: number;
  pending_codes: number;
}

/** `GET /v1/channels` as the CLI sees it. */
export async function channelRow(meshUrl: string, name: string): Promise<ChannelRow | undefined> {
  const res = await fetch(`${meshUrl}/v1/channels`, { headers: OPERATOR });
  expect(res.status).toBe(200);
  return ((await res.json()) as { channels: ChannelRow[] }).channels.find((c) => c.name === name);
}

export const waitForState = (meshUrl: string, name: string, state: string) =>
  waitFor(`${name} ${state}`, async () => {
    const row = await channelRow(meshUrl, name);
    return row?.state === state ? row : undefined;
  });

/** `POST /v1/channels/<name>/pair`, what `openlegion channels pair` calls. */
export async function pairCode(meshUrl: string, name: string): Promise<string> {
  const res = await fetch(`${meshUrl}/v1/channels/${name}/pair`, { method: "POST", headers: OPERATOR });
  expect(res.status).toBe(200);
  return ((await res.json()) as { code: string }).code;
}

export interface ChannelProxy {
  url: string;
  /** Every line the proxy logged (JSON), to assert that no platform token is in them. */
  logs: string[];
  /** CONNECT tunnels the proxy opened for the mesh (`_mesh`), from its request counter. */
  tunnels(): number;
  close(): Promise<void>;
}

/**
 * The real egress proxy as the mesh's way out, configured the way render does it (the `mesh` identity,
 * the channel APIs of CHANNEL_PROXY_APIS) but with each API's base URL on its fake, and loopback allowed
 * for CONNECT (the fakes listen on 127.0.0.1).
 */
export async function startChannelProxy(opts: {
  /** Proxy API name (`_telegram`, …) → the fake's base URL. */
  apis: Record<string, string>;
  /** host:port rules the mesh may tunnel to. */
  hosts?: string[];
  /** Credential name → value: the platform tokens the proxy holds. */
  secrets: Record<string, string>;
}): Promise<ChannelProxy> {
  const dir = mkdtempSync(join(tmpdir(), "ol-channel-proxy-"));
  writeFileSync(join(dir, "master_key"), `${MASTER}\n`);
  for (const [credential, value] of Object.entries(opts.secrets))
    writeFileSync(join(dir, credentialSecretName(credential)), value);
  const apis: ProxyConfig["apis"] = {};
  for (const [name, baseUrl] of Object.entries(opts.apis)) {
    const { channel: _c, slackMode: _m, defaultBaseUrl: _d, ...api } = CHANNEL_PROXY_APIS[name]!;
    apis[name] = { ...api, base_url: baseUrl.replace(/\/+$/, "") };
  }
  const logs: string[] = [];
  const proxy = buildProxy({
    config: {
      version: 1,
      agents: {},
      mesh: { allowed_hosts: opts.hosts ?? [], allowed_apis: Object.keys(apis), subnet: "127.0.0.0/8" },
      providers: {},
      apis,
      pricing: {},
      allow_private_cidrs: ["127.0.0.0/8"],
    },
    secrets: fileSecrets(dir),
    dbPath: join(dir, "proxy.db"),
    logger: pino({ level: "debug" }, { write: (line: string) => void logs.push(line) }),
  });
  await new Promise<void>((resolve) => proxy.server.listen(0, "127.0.0.1", resolve));
  const port = (proxy.server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    logs,
    tunnels() {
      // The proxy's /metrics lines, as Prometheus scrapes them.
      return proxy.context.metrics.requests
        .render()
        .split("\n")
        .filter((l) => l.includes('agent="_mesh"') && l.includes('route="connect"'))
        .reduce((n, l) => n + Number(l.split(" ").at(-1)), 0);
    },
    async close() {
      await proxy.close(1000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
