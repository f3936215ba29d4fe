import { mkdirSync, realpathSync } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { Dispatcher } from "undici";
import { drain } from "../common/http/drain.js";
import { createLogger } from "../common/log.js";
import { DRAIN_DEADLINE_MS } from "../common/ports.js";
import type { AgentConfig } from "./config/load.js";
import type { RunLimits } from "./core/limits.js";
import { Spawner } from "./loop/spawner.js";
import type { StepDeps } from "./loop/step.js";
import type { RESTART } from "./mcp/connection.js";
import { mcpProviders } from "./mcp/index.js";
import { createAgentMemory } from "./memory/agent-memory.js";
import type { Embedder } from "./memory/embedder.js";
import { type ModelAccess, modelResolver, type WireApi } from "./model/resolve.js";
import { AgentRuntime } from "./runtime/agent-runtime.js";
import { buildApp } from "./server/app.js";
import { AgentStore } from "./state/agent-store.js";
import { Workspace } from "./state/workspace.js";
import { browserProviders } from "./tools/browser/provider.js";
import { createProxyDispatcher } from "./tools/http-request.js";
import { LOCAL_TOOLS, meshToolsFor } from "./tools/index.js";
import { MeshClient } from "./tools/mesh/client.js";
import { staticProvider, Toolbox, type ToolSource } from "./tools/provider.js";
import type { ToolRegistry } from "./tools/registry.js";

export interface AgentOverrides {
  logger?: Logger;
  /** Test seam: send model calls straight to a fake provider instead of the proxy. */
  baseUrlFor?: ModelAccess["baseUrlFor"];
  limits?: RunLimits;
  registry?: ToolRegistry;
  proxy?: Dispatcher;
  /** Memory test seams: the embedder (null = FTS-only) and the model's context window. */
  embedder?: Embedder | null;
  contextWindow?: number;
  /** MCP test seam: the restart policy of every server. */
  mcpRestart?: typeof RESTART;
}

export interface AgentHandle {
  app: FastifyInstance;
  runtime: AgentRuntime;
  store: AgentStore;
  dataRoot: string;
  /** Graceful: stop taking work, let the current step finish (≤ graceMs), close everything. */
  close(graceMs?: number): Promise<void>;
}

/** What the HTTP side gets after the turn's grace: enough to flush a final SSE event. */
const APP_DRAIN_MS = 2_000;

/** Wires config → store, tools, loop, runtime and the HTTP app. Does not listen. */
export async function createAgent(config: AgentConfig, o: AgentOverrides = {}): Promise<AgentHandle> {
  const log =
    o.logger ??
    createLogger(
      { agent: config.manifest.id },
      { OPENLEGION_LOG_LEVEL: config.logLevel, OPENLEGION_LOG_FORMAT: config.logFormat },
    );
  mkdirSync(config.dataDir, { recursive: true });
  const dataRoot = realpathSync(config.dataDir);
  const store = new AgentStore(join(dataRoot, "agent.db"), Date.now, config.sqliteSync);
  const access: ModelAccess = {
    proxyUrl: config.manifest.proxy_url,
    agentToken: config.agentToken,
    providers: config.manifest.providers as Record<string, WireApi>,
    ...(o.baseUrlFor ? { baseUrlFor: o.baseUrlFor } : {}),
  };
  const step: StepDeps = {
    models: [config.manifest.model, ...config.manifest.fallback_models],
    resolve: modelResolver(access),
    onFailover: (from, failure) =>
      log.warn(
        { model: from, status: failure.status, kind: failure.kind, err: failure.message },
        "model failed; trying the next one",
      ),
  };
  // Load the provider SDKs of the agent's own models now (not at the first turn), and only those.
  await Promise.all(step.models.map((id) => Promise.resolve(step.resolve(id)).catch(() => undefined)));
  const memory = createAgentMemory({
    ...(config.sqliteSync ? { sync: config.sqliteSync } : {}),
    dataRoot,
    manifest: config.manifest,
    agentToken: config.agentToken,
    step,
    log,
    ...(o.embedder !== undefined ? { embedder: o.embedder } : {}),
    ...(o.contextWindow ? { window: o.contextWindow } : {}),
  });
  // Each capability contributes its tools through one provider; the order is the model's tool order.
  const mcp = mcpProviders(config, dataRoot, log, o.mcpRestart);
  const toolbox = new Toolbox([
    staticProvider("local", LOCAL_TOOLS),
    staticProvider("mesh", meshToolsFor(config.manifest.mesh_grants)),
    staticProvider("memory", memory.tools),
    ...mcp,
    ...browserProviders(config, log),
  ]);
  await toolbox.start({ manifest: config.manifest, dataRoot, log });
  const registry: ToolSource = o.registry ?? toolbox;
  const spawner = new Spawner(
    { registry, step, maxOutputTokens: config.manifest.max_tokens, temperature: config.manifest.temperature },
    0,
  );
  const mesh = new MeshClient(config.manifest.mesh_url, config.agentToken);
  const proxy = o.proxy ?? createProxyDispatcher(config.manifest.proxy_url, config.agentToken);
  const runtime = new AgentRuntime({
    manifest: config.manifest,
    systemPrompt: config.systemPrompt,
    project: config.project,
    dataRoot,
    store,
    workspace: new Workspace(dataRoot),
    registry,
    spawner,
    mesh,
    proxy,
    step,
    log,
    memory: memory.conversation,
    ...(o.limits ? { limits: o.limits } : {}),
  });
  const app = await buildApp({
    runtime,
    meshToken: config.meshToken,
    dataRoot,
    agentId: config.manifest.id,
    mcp,
    logger: log,
  });
  return {
    app,
    runtime,
    store,
    dataRoot,
    async close(graceMs = DRAIN_DEADLINE_MS - APP_DRAIN_MS) {
      // The turn in flight completes or is aborted (its caller sees it interrupted) within graceMs;
      // then the HTTP side drains what is left (the SSE reply of that turn) for APP_DRAIN_MS.
      await runtime.shutdown(graceMs);
      await drain(app.server, () => app.close(), APP_DRAIN_MS);
      await mesh.close().catch(() => {});
      await proxy.close().catch(() => {});
      await toolbox.stop();
      store.close();
      memory.close();
    },
  };
}
