import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import type { InboxDelivery } from "../../../services/common/contracts/mesh-api.js";
import type { MeshConfig, MeshPermissions } from "../../../services/common/contracts/mesh-config.js";
import { agentToken, meshToken, operatorToken, tokensEqual } from "../../../services/common/tokens.js";
import { buildApp, type MeshDeps } from "../../../services/mesh/app.js";
import type { Clock } from "../../../services/mesh/clock.js";
import type { MeshLimits } from "../../../services/mesh/limits.js";
import { MeshStore } from "../../../services/mesh/store/mesh-store.js";

export const MASTER = "test-master-key-0123456789abcdefghijklmnopqrstuv";
export const OPERATOR = { authorization: `Bearer ${operatorToken(MASTER)}` };
export const as = (agent: string) => ({ authorization: `Bearer ${agentToken(MASTER, agent)}` });

export function perms(p: Partial<MeshPermissions> = {}): MeshPermissions {
  return {
    can_message: [],
    can_publish: [],
    can_subscribe: [],
    blackboard_read: [],
    blackboard_write: [],
    allowed_apis: [],
    ...p,
  };
}

/** A config whose agents live on loopback-friendly subnets: each agent gets 10.0.<n>.0/28 by default. */
export function meshConfig(
  agents: Record<string, { permissions: MeshPermissions; url?: string }>,
  proxyAdminUrl = "http://127.0.0.1:9",
): MeshConfig {
  const out: MeshConfig["agents"] = {};
  Object.entries(agents).forEach(([id, a], i) => {
    out[id] = {
      role: `${id} role`,
      subnet: `10.0.${i + 1}.0/28`,
      url: a.url ?? "http://127.0.0.1:9",
      permissions: a.permissions,
    };
  });
  return {
    version: 1,
    agents: out,
    proxy_admin_url: proxyAdminUrl,
    workflows: [],
    schedules: [],
    heartbeats: [],
    webhooks: [],
    watchers: [],
    channels: {},
  };
}

/** Source address inside agent number i's subnet (for app.inject({ remoteAddress })). */
export const addressOf = (config: MeshConfig, agent: string): string => {
  const subnet = config.agents[agent]?.subnet ?? "0.0.0.0/28";
  return subnet.replace(/\.0\/28$/, ".5");
};

export interface Harness {
  app: FastifyInstance;
  store: MeshStore;
  dir: string;
  dbPath: string;
  close(): Promise<void>;
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "ol-mesh-"));
}

export async function startMesh(
  config: MeshConfig,
  opts: {
    dir?: string;
    clock?: Clock;
    limits?: Partial<MeshLimits>;
    subnetOverrides?: MeshDeps["subnetOverrides"];
    masterKey?: string;
    channelSecret?: MeshDeps["channelSecret"];
    dashboardAssets?: string;
  } = {},
): Promise<Harness> {
  const dir = opts.dir ?? tempDir();
  const dbPath = join(dir, "mesh.db");
  const store = MeshStore.open(dbPath);
  let app: FastifyInstance;
  try {
    app = await buildApp({
      config,
      masterKey: opts.masterKey ?? MASTER,
      store,
      clock: opts.clock,
      limits: opts.limits,
      subnetOverrides: opts.subnetOverrides,
      channelSecret: opts.channelSecret,
      ...(opts.dashboardAssets ? { dashboardAssets: opts.dashboardAssets } : {}),
    });
  } catch (error) {
    store.close();
    if (!opts.dir) removeDir(dir);
    throw error;
  }
  await app.ready();
  let closed = false;
  return {
    app,
    store,
    dir,
    dbPath,
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      store.close();
    },
  };
}

export const removeDir = (dir: string) => rmSync(dir, { recursive: true, force: true });

/**
 * A small real agent: verifies its own mesh token (meshToken(master, id)), records inbox deliveries,
 * answers chat (JSON or SSE) and reports disk use on /healthz.
 */
export class FakeAgent {
  readonly id: string;
  /** What /healthz reports as disk use (percent); null = no disk figure. */
  diskUsedPct: number | null = 12.5;
  readonly deliveries: InboxDelivery[] = [];
  readonly chats: unknown[] = [];
  resets = 0;
  /** When set, /inbox answers this status instead of 200. */
  failWith: number | undefined;
  streamFrames: string[] = [
    'event: delta\ndata: {"type":"delta","text":"hel"}\n\n',
    'event: delta\ndata: {"type":"delta","text":"lo"}\n\n',
    'event: done\ndata: {"type":"done","reply":"hello"}\n\n',
  ];
  unauthorized = 0;
  #server: Server | undefined;
  port = 0;

  constructor(id: string) {
    this.id = id;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get ids(): number[] {
    return this.deliveries.flatMap((d) => d.messages.map((m) => m.id));
  }

  async start(port = 0): Promise<this> {
    this.#server = createServer((req, res) => void this.#handle(req, res));
    await new Promise<void>((resolve) => this.#server!.listen(port, "127.0.0.1", resolve));
    this.port = (this.#server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    const s = this.#server;
    this.#server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const auth = req.headers.authorization ?? "";
    if (!tokensEqual(auth, `Bearer ${meshToken(MASTER, this.id)}`)) {
      this.unauthorized++;
      res.writeHead(401).end();
      return;
    }
    const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : undefined;
    if (req.url === "/healthz") {
      const disk =
        this.diskUsedPct === null
          ? null
          : { total_bytes: 1000, free_bytes: 1000 - this.diskUsedPct * 10, used_pct: this.diskUsedPct };
      return void res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ ok: true, state: "idle", disk }));
    }
    if (req.url === "/reset") {
      this.resets++;
      return void res.writeHead(200).end("{}");
    }
    if (req.url === "/inbox") {
      if (this.failWith) return void res.writeHead(this.failWith).end();
      this.deliveries.push(body as InboxDelivery);
      return void res.writeHead(200).end("{}");
    }
    if (req.url === "/chat") {
      this.chats.push(body);
      if ((req.headers.accept ?? "").includes("text/event-stream")) {
        res.writeHead(200, { "content-type": "text/event-stream" });
        for (const f of this.streamFrames) res.write(f);
        return void res.end();
      }
      return void res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ reply: `echo: ${(body as { message: string }).message}`, secret: "dropped" }));
    }
    res.writeHead(404).end();
  }
}

/** Polls `check` until it returns true (bounded), for asynchronous delivery. */
export async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}
