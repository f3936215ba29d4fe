import { mkdir, mkdtemp, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { Agent } from "undici";
import { MeshClient } from "../../../services/agent/tools/mesh/client.js";
import type { SpawnHost, ToolContext } from "../../../services/agent/tools/types.js";
import type { AgentManifest } from "../../../services/common/contracts/agent-manifest.js";

export const silent = pino({ level: "silent" });

/** A sandbox: `root` is the data root, `outside` a sibling holding a sentinel file that must stay untouched. */
export async function makeSandbox(): Promise<{
  base: string;
  root: string;
  outside: string;
  sentinel: string;
  cleanup: () => Promise<void>;
}> {
  const base = await realpath(await mkdtemp(join(tmpdir(), "ol-agent-")));
  const root = join(base, "data");
  const outside = join(base, "outside");
  await mkdir(root);
  await mkdir(outside);
  const sentinel = join(outside, "secret.txt");
  await writeFile(sentinel, "SENTINEL");
  return { base, root, outside, sentinel, cleanup: () => rm(base, { recursive: true, force: true }) };
}

const noSpawn: SpawnHost = {
  spawn: async () => {
    throw new Error("spawn not available in this test");
  },
};

export function toolCtx(root: string, over: Partial<ToolContext> = {}): ToolContext {
  return {
    agentId: "tester",
    dataRoot: root,
    signal: new AbortController().signal,
    log: silent,
    mesh: new MeshClient("http://127.0.0.1:9", "t".repeat(20)),
    proxy: new Agent(),
    spawner: noSpawn,
    depth: 0,
    ...over,
  };
}

export const MESH_TOKEN = "mesh-token-for-tests-0123456789";
export const AGENT_TOKEN = "agent-token-for-tests-0123456789";

export function manifest(over: Partial<AgentManifest> = {}): AgentManifest {
  return {
    version: 1,
    id: "alpha",
    role: "tester",
    model: "openai/gpt-4o-mini",
    fallback_models: [],
    max_tokens: 1024,
    temperature: 0,
    browser_backend: "basic",
    mcp_servers: [],
    providers: { openai: "openai", anthropic: "anthropic", gemini: "gemini" },
    mesh_url: "http://127.0.0.1:9",
    proxy_url: "http://127.0.0.1:9",
    embedding_model: "openai/text-embedding-3-small",
    ...over,
  };
}
