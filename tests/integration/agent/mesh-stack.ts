import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import type { MeshConfig, MeshPermissions } from "../../../services/common/contracts/mesh-config.js";
import { agentToken, meshToken } from "../../../services/common/tokens.js";
import type { MeshLimits } from "../../../services/mesh/limits.js";
import { type FakeProvider, startFakeProvider } from "../../fakes/llm-provider/index.js";
import {
  MASTER,
  type Harness as MeshHarness,
  meshConfig,
  OPERATOR,
  perms,
  startMesh,
} from "../mesh/helpers.js";
import { type Harness, startHarness } from "./harness.js";

export const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });

export interface Stack {
  mesh: MeshHarness;
  meshUrl: string;
  fake: FakeProvider;
  agents: Record<string, Harness>;
  close(): Promise<void>;
}

/**
 * The real mesh on loopback plus one real agent server per id (all on one fake LLM provider, whose
 * FIFO queue serves whichever agent asks next). `workflows` go into the mesh config as written.
 */
export async function startStack(
  agents: Record<string, Partial<MeshPermissions>>,
  workflows: MeshConfig["workflows"] = [],
  extra: {
    channels?: MeshConfig["channels"];
    channelSecret?: (credential: string) => string | undefined;
    limits?: Partial<MeshLimits>;
    /** The egress proxy the mesh's channels leave through (tests/integration/channels/helpers.ts). */
    proxyUrl?: string;
  } = {},
): Promise<Stack> {
  const ids = Object.keys(agents);
  const ports = await Promise.all(ids.map(() => freePort()));
  const entries = Object.fromEntries(
    ids.map((id, i) => [
      id,
      {
        permissions: perms(agents[id]),
        url: `http://127.0.0.1:${ports[i]}`,
      },
    ]),
  );
  const config = meshConfig(entries, extra.proxyUrl);
  config.workflows = workflows;
  if (extra.channels) config.channels = extra.channels;
  const mesh = await startMesh(config, {
    channelSecret: extra.channelSecret,
    limits: extra.limits,
    subnetOverrides: Object.fromEntries(ids.map((id) => [id, "127.0.0.0/8"])),
  });
  const meshUrl = await mesh.app.listen({ host: "127.0.0.1", port: 0 });
  const fake = await startFakeProvider();
  const hs: Record<string, Harness> = {};
  const stack: Stack = {
    mesh,
    meshUrl,
    fake,
    agents: hs,
    async close() {
      for (const h of Object.values(hs)) await h.close();
      await mesh.close();
      await fake.close();
    },
  };
  try {
    for (const [i, id] of ids.entries()) {
      hs[id] = await startHarness(
        { id, mesh_url: meshUrl },
        { fake, agentToken: agentToken(MASTER, id), meshToken: meshToken(MASTER, id), port: ports[i] },
      );
    }
  } catch (err) {
    await stack.close();
    throw err;
  }
  return stack;
}

export const operatorJson = { ...OPERATOR, "content-type": "application/json" };

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
