import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { MeshConfig } from "../../../services/common/contracts/mesh-config.js";
import type { ProxyConfig } from "../../../services/common/contracts/proxy-config.js";
import { buildProxy } from "../../../services/egress-proxy/app.js";
import { fileSecrets } from "../../../services/egress-proxy/secrets.js";
import { buildApp } from "../../../services/mesh/app.js";
import { MeshStore } from "../../../services/mesh/store/mesh-store.js";
import { removeDir, templateFleet } from "../../fixtures/render/cli.js";
import { runCli } from "../../unit/cli/helpers.js";

/** Finding 9: a removed agent is gone — its token is refused by mesh and proxy, its volume deleted. */
let dir: string;
beforeEach(async () => {
  dir = await templateFleet("sales");
});
afterEach(() => removeDir(dir));

const read = (path: string) => readFileSync(join(dir, path), "utf8");
const token = () => read(".openlegion/secrets/agent_token_helper");
const masterKey = () => /^OPENLEGION_MASTER_KEY=(\S+)$/m.exec(read(".env"))?.[1] ?? "";

async function meshAnswers(presented: string): Promise<number> {
  const config = JSON.parse(read("compose/mesh/config.json")) as MeshConfig;
  const store = MeshStore.open(":memory:");
  const app = await buildApp({
    config,
    masterKey: masterKey(),
    store,
    subnetOverrides: { helper: "127.0.0.0/8" },
  });
  try {
    const res = await app.inject({
      method: "GET",
      url: "/v1/blackboard/context/x",
      remoteAddress: "127.0.0.5",
      headers: { authorization: `Bearer ${presented}` },
    });
    return res.statusCode;
  } finally {
    await app.close();
    store.close();
  }
}

async function proxyAnswers(presented: string): Promise<number> {
  const config = JSON.parse(read("compose/egress-proxy/config.json")) as ProxyConfig;
  for (const agent of Object.values(config.agents)) agent.subnet = "127.0.0.0/8";
  const proxy = buildProxy({
    config,
    secrets: fileSecrets(join(dir, ".openlegion/secrets")),
    dbPath: ":memory:",
  });
  await new Promise<void>((resolve) => proxy.server.listen(0, "127.0.0.1", resolve));
  try {
    const { port } = proxy.server.address() as { port: number };
    // The forward door answers 407 for an unknown token and 403 (host not allowed) for a known one.
    const res = await fetch(`http://127.0.0.1:${port}/api/none/x`, {
      headers: { authorization: `Bearer ${presented}` },
    });
    return res.status;
  } finally {
    await proxy.close();
  }
}

describe("agent remove revokes", () => {
  it("a re-added agent gets a new token; the old one is refused by mesh and proxy", async () => {
    expect((await runCli(["agent", "add", "helper", "--dir", dir])).code).toBe(0);
    expect((await runCli(["render", dir])).code).toBe(0);
    const old = token();
    expect(await meshAnswers(old)).not.toBe(401);
    const removed = await runCli(["agent", "remove", "helper", "--yes", "--keep-data", "--dir", dir]);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toContain("its data volume is kept");
    expect(JSON.parse(read(".openlegion/token-generations.json"))).toEqual({ helper: 1 });
    expect((await runCli(["agent", "add", "helper", "--dir", dir])).code).toBe(0);
    expect((await runCli(["render", dir])).code).toBe(0);
    const fresh = token();
    expect(fresh).not.toBe(old);
    expect(await meshAnswers(old)).toBe(401);
    expect(await proxyAnswers(old)).toBe(401);
    expect(await meshAnswers(fresh)).not.toBe(401);
    expect(await proxyAnswers(fresh)).toBe(403); // known agent, API not allowed: past authentication
  });

  const docker = (() => {
    try {
      execFileSync("docker", ["version", "--format", "{{.Server.Version}}"], {
        stdio: "pipe",
        timeout: 10_000,
      });
      return true;
    } catch {
      return false;
    }
  })();
  if (!docker) console.log("agent remove volume test skipped: no Docker engine answers");
  it.skipIf(!docker)("deletes the agent's data volume unless --keep-data", async () => {
    expect((await runCli(["agent", "add", "helper", "--dir", dir])).code).toBe(0);
    const volume = `${basename(dir)
      .toLowerCase()
      .replace(/[^a-z0-9_-]/g, "")}_agent-helper-data`;
    execFileSync("docker", ["volume", "create", volume], { stdio: "pipe" });
    try {
      const removed = await runCli(["agent", "remove", "helper", "--yes", "--dir", dir]);
      expect(removed.code).toBe(0);
      expect(removed.stdout).toContain(`deleted its data volume ${volume}`);
      expect(() => execFileSync("docker", ["volume", "inspect", volume], { stdio: "pipe" })).toThrow();
    } finally {
      execFileSync("docker", ["volume", "rm", "-f", volume], { stdio: "pipe" });
    }
  });
});
