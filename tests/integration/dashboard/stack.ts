import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildDashboard } from "../../../scripts/build-dashboard.mjs";
import type { MeshConfig } from "../../../services/common/contracts/mesh-config.js";
import { agentToken, meshToken, operatorToken } from "../../../services/common/tokens.js";
import { type Harness as AgentHarness, startHarness } from "../agent/harness.js";
import { freePort } from "../agent/mesh-stack.js";
import { type Stack as ProxyStack, startStack as startProxy } from "../egress-proxy/harness.js";
import { MASTER, type Harness as MeshHarness, meshConfig, perms, startMesh } from "../mesh/helpers.js";

/** Bundles the dashboard once into a temp dir (what `npm run build` does into dist/). */
export async function bundle(): Promise<{ dir: string; sizes: Record<string, number> }> {
  const dir = mkdtempSync(join(tmpdir(), "ol-dashboard-"));
  return { dir, sizes: await buildDashboard(dir) };
}

export interface DashboardStack {
  mesh: MeshHarness;
  proxy: ProxyStack;
  agent: AgentHarness;
  /** http://127.0.0.1:PORT of the mesh. */
  url: string;
  operator: string;
  agentToken: string;
  close(): Promise<void>;
}

/**
 * The real mesh (serving the bundle from `assets`), the real egress proxy in front of the fake LLM
 * provider, and one real agent "alice" whose model calls go through the proxy: the whole path a
 * dashboard user touches, on loopback.
 */
export async function startDashboardStack(
  assets: string,
  workflows: MeshConfig["workflows"] = [],
): Promise<DashboardStack> {
  const proxy = await startProxy();
  const port = await freePort();
  const config = meshConfig(
    {
      alice: {
        permissions: perms({ blackboard_write: ["**"], blackboard_read: ["**"] }),
        url: `http://127.0.0.1:${port}`,
      },
    },
    proxy.url,
  );
  config.workflows = workflows;
  const mesh = await startMesh(config, {
    dashboardAssets: assets,
    subnetOverrides: { alice: "127.0.0.0/8" },
  });
  const url = (await mesh.app.listen({ host: "127.0.0.1", port: 0 })).replace(/\/$/, "");
  const agent = await startHarness(
    { id: "alice", mesh_url: url, proxy_url: proxy.url },
    {
      fake: proxy.fake,
      agentToken: agentToken(MASTER, "alice"),
      meshToken: meshToken(MASTER, "alice"),
      port,
    },
  );
  return {
    mesh,
    proxy,
    agent,
    url,
    operator: operatorToken(MASTER),
    agentToken: agentToken(MASTER, "alice"),
    async close() {
      await agent.close();
      await mesh.close();
      await proxy.close();
      rmSync(mesh.dir, { recursive: true, force: true });
    },
  };
}
