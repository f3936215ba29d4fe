/** Public surface of agent memory (docs/memory.md). */
export { classify, FALLBACK_CATEGORY } from "./categories.js";
export { type CompactResult, compact, extractAndStore, type LlmComplete } from "./context/compactor.js";
export { ConversationMemory, type Prepared, type Transcript } from "./context/conversation.js";
export { isContextOverflow, KEEP_LAST, planContext, splitForCompaction, THRESHOLDS } from "./context/plan.js";
export { contextWindow, estimateMessages, estimateTokens, modelFamily } from "./context/tokens.js";
export { DEFAULT_DIMS, type Embedder, HttpEmbedder } from "./embedder.js";
export type { Fact } from "./fact-store.js";
export { type MemoryOptions, MemoryService, type RecallResult, type SaveInput } from "./memory-service.js";
export { memoryTools } from "./tools/index.js";
