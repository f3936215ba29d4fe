import type { AgentManifest } from "../../common/contracts/agent-manifest.js";
import type { SyncMode } from "../../common/sqlite/sync.js";
import { type StepDeps, stepWithFailover } from "../loop/step.js";
import type { AgentStore } from "../state/agent-store.js";
import type { Tool } from "../tools/types.js";
import type { LlmComplete } from "./context/compactor.js";
import { ConversationMemory, type Transcript } from "./context/conversation.js";
import { type Embedder, HttpEmbedder } from "./embedder.js";
import { type MemoryLog, MemoryService } from "./memory-service.js";
import { memoryTools } from "./tools/index.js";

/** Output cap of the silent extraction and summary calls. */
export const HOUSEKEEPING_MAX_TOKENS = 2000;

export interface AgentMemory {
  service: MemoryService;
  conversation: ConversationMemory;
  tools: Tool[];
  close(): void;
}

export interface AgentMemoryOptions {
  dataRoot: string;
  manifest: AgentManifest;
  agentToken: string;
  step: StepDeps;
  log: MemoryLog;
  /** Test seam: undefined = the proxy's embeddings route; null = none (FTS-only). */
  embedder?: Embedder | null;
  /** Test seam: the model's context window. */
  window?: number;
  sync?: SyncMode;
}

/** The runtime's transcript of a conversation in agent.db, as the context manager reads it. */
export const storeTranscript = (store: AgentStore, conversation: string): Transcript => ({
  count: () => store.messageCount(conversation),
  tail: (n) => store.history(conversation, n),
});

/** Tool-less calls on the agent's own model chain (with failover) for extraction and summaries. */
export const llmFromStep =
  (step: StepDeps): LlmComplete =>
  async ({ system, prompt, signal }) =>
    (
      await stepWithFailover(step, {
        system,
        messages: [{ role: "user", content: prompt }],
        maxOutputTokens: HOUSEKEEPING_MAX_TOKENS,
        temperature: 0,
        signal,
      })
    ).text;

/** Everything memory the runtime wires in: memory.db, the three tools and the context manager. */
export function createAgentMemory(o: AgentMemoryOptions): AgentMemory {
  const embedder =
    o.embedder === null
      ? undefined
      : (o.embedder ??
        new HttpEmbedder({
          proxyUrl: o.manifest.proxy_url,
          token: o.agentToken,
          model: o.manifest.embedding_model,
        }));
  const service = new MemoryService({
    dataRoot: o.dataRoot,
    log: o.log,
    ...(o.sync ? { sync: o.sync } : {}),
    ...(embedder ? { embedder } : {}),
  });
  const conversation = new ConversationMemory({
    memory: service,
    llm: llmFromStep(o.step),
    model: o.manifest.model,
    log: o.log,
    ...(o.window ? { window: o.window } : {}),
  });
  return { service, conversation, tools: memoryTools(service), close: () => service.close() };
}
