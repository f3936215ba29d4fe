import type { Tool } from "../../tools/types.js";
import type { MemoryService } from "../memory-service.js";
import { memoryRecallTool } from "./memory-recall.js";
import { memorySaveTool } from "./memory-save.js";
import { memorySearchTool } from "./memory-search.js";

/** The memory tools bound to one MemoryService, in a fixed order (append to the runtime's tool list). */
export const memoryTools = (memory: MemoryService): Tool[] => [
  memorySaveTool(memory),
  memorySearchTool(memory),
  memoryRecallTool(memory),
];
