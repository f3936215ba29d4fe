import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { type MeshConfig, meshConfigSchema } from "../../../services/common/contracts/mesh-config.js";
import type { ProxyConfig } from "../../../services/common/contracts/proxy-config.js";
import { reloadOnChange } from "../../../services/egress-proxy/reload.js";
import { fileSecrets } from "../../../services/egress-proxy/secrets.js";
import { buildApp } from "../../../services/mesh/app.js";
import { LiveMesh } from "../../../services/mesh/reload.js";
import { MeshStore } from "../../../services/mesh/store/mesh-store.js";
import { type Stack, startStack } from "../egress-proxy/harness.js";
import { as, MASTER, meshConfig, OPERATOR, perms, removeDir, tempDir } from "./helpers.js";

/**
 * Issue 16 item 2: mesh and proxy take a new config.json live. A chat stream that started before the
 * reload finishes on the old app; the new agent is known at once to both; the listening sockets stay.
 */
const silent = pino({ level: "silent" });
let proxy: Stack | undefined;
let live: LiveMesh | undefined;
let store: MeshStore | undefined;
let agent: Server | undefined;
let dir: string | undefined;
let stops: (() => void)[] = [];

afterEach(async () => {
  for (const stop of stops) stop();
  stops = [];
  await live?.close();
  store?.close();
  await proxy?.close();
  if (agent) {
    agent.closeAllConnections();
    await new Promise((r) => agent?.close(r));
  }
  if (dir) removeDir(dir);
  live = store = proxy = agent = dir = undefined;
});

/** Alice's agent: sends one delta, then waits for `release()` before the done event. */
async function holdingAgent(): Promise<{ url: string; release: () => void }> {
  let release = () => {};
  const released = new Promise<void>((r) => {
    release = r;
  });
  agent = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.write('event: delta\ndata: {"type":"delta","text":"part one "}\n\n');
    void released.then(() => res.end('event: done\ndata: {"type":"done","reply":"part one, part two"}\n\n'));
  });
  await new Promise<void>((r) => agent?.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(agent.address() as AddressInfo).port}`, release };
}

const blackboardStatus = async (base: string, id: string) =>
  (await fetch(`${base}/v1/blackboard/context/x`, { headers: as(id) })).status;

describe("issue 16: live reload of mesh and proxy", () => {
  it("keeps a running chat stream across POST /v1/admin/reload and knows the added agent at once", async () => {
    proxy = await startStack();
    const proxyConfigPath = join(proxy.dir, "config.json");
    writeFileSync(proxyConfigPath, JSON.stringify(proxy.config));
    stops.push(
      reloadOnChange(proxy.proxy, proxy.dir, JSON.stringify(proxy.config), fileSecrets(proxy.dir), silent),
    );
    const alice = await holdingAgent();
    dir = tempDir();
    const meshPath = join(dir, "config.json");
    const first = meshConfig({ alice: { permissions: perms(), url: alice.url } }, proxy.url);
    writeFileSync(meshPath, JSON.stringify(first));
    store = MeshStore.open(join(dir, "mesh.db"));
    const parse = (text: string): MeshConfig => meshConfigSchema.parse(JSON.parse(text));
    const s = store;
    const build = (config: MeshConfig) =>
      buildApp({
        config,
        masterKey: MASTER,
        store: s,
        subnetOverrides: { alice: "127.0.0.0/8", bob: "127.0.0.0/8" },
        reloadConfig: () => live!.reloadFrom(meshPath, parse),
      });
    const app = await build(first);
    await app.ready();
    live = new LiveMesh(app, build);
    await new Promise<void>((r) => live?.server.listen(0, "127.0.0.1", r));
    const base = `http://127.0.0.1:${(live.server.address() as AddressInfo).port}`;
    expect(await blackboardStatus(base, "bob")).toBe(401);

    // A reply is streaming from alice when the config changes.
    const chat = await fetch(`${base}/v1/agents/alice/chat`, {
      method: "POST",
      headers: { ...OPERATOR, "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({ message: "hi", stream: true }),
    });
    const reader = chat.body!.getReader();
    const firstChunk = new TextDecoder().decode((await reader.read()).value);
    expect(firstChunk).toContain("part one");

    const second = meshConfig(
      { alice: { permissions: perms(), url: alice.url }, bob: { permissions: perms() } },
      proxy.url,
    );
    writeFileSync(meshPath, JSON.stringify(second));
    const proxyNext: ProxyConfig = structuredClone(proxy.config);
    proxyNext.agents.carol = { ...proxyNext.agents.alice!, models: ["openai/gpt-4o-mini"] };
    writeFileSync(proxyConfigPath, JSON.stringify(proxyNext));
    const reload = await fetch(`${base}/v1/admin/reload`, { method: "POST", headers: OPERATOR });
    expect(reload.status).toBe(200);
    expect(await reload.json()).toEqual({ mesh_agents: 2, proxy_agents: 3 });

    // The new agents are known at once: bob by the mesh, carol by the proxy (403 = past authentication).
    expect(await blackboardStatus(base, "bob")).not.toBe(401);
    const carol = await fetch(`${proxy.url}/api/none/x`, {
      headers: { authorization: `Bearer ${proxy.token("carol")}` },
    });
    expect(carol.status).toBe(403);

    // The stream that began before the reload completes.
    alice.release();
    let rest = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      rest += new TextDecoder().decode(value);
    }
    expect(rest).toContain('"reply":"part one, part two"');

    // Without the route: the mesh watches its file, so a removed agent is refused once it is rewritten.
    stops.push(live.watch(meshPath, JSON.stringify(second), parse));
    writeFileSync(meshPath, JSON.stringify(first));
    const deadline = Date.now() + 15_000;
    while ((await blackboardStatus(base, "bob")) !== 401) {
      if (Date.now() > deadline) throw new Error("the mesh never picked up the rewritten config.json");
      await new Promise((r) => setTimeout(r, 50));
    }
  });

  it("keeps the running config when the new file is invalid, and says why", async () => {
    dir = tempDir();
    const meshPath = join(dir, "config.json");
    const first = meshConfig({ alice: { permissions: perms() } });
    writeFileSync(meshPath, JSON.stringify(first));
    store = MeshStore.open(join(dir, "mesh.db"));
    const s = store;
    const parse = (text: string): MeshConfig => meshConfigSchema.parse(JSON.parse(text));
    const build = (config: MeshConfig) =>
      buildApp({ config, masterKey: MASTER, store: s, subnetOverrides: { alice: "127.0.0.0/8" } });
    const app = await build(first);
    await app.ready();
    live = new LiveMesh(app, build);
    writeFileSync(meshPath, '{"version": 1, "agents": ');
    await expect(live.reloadFrom(meshPath, parse)).rejects.toThrow(/JSON/);
    expect(live.app).toBe(app);
    await new Promise<void>((r) => live?.server.listen(0, "127.0.0.1", r));
    const base = `http://127.0.0.1:${(live.server.address() as AddressInfo).port}`;
    expect(await blackboardStatus(base, "alice")).not.toBe(401);
  });
});
