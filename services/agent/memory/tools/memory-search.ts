import { z } from "zod";
import { defineTool, type Tool } from "../../tools/types.js";
import { type MemoryService, RECALL_MAX } from "../memory-service.js";

export const memorySearchInput = z.strictObject({
  query: z.string().describe("Words to look for."),
  limit: z
    .int()
    .min(1)
    .max(RECALL_MAX)
    .optional()
    .describe(`Results per kind (default 8, max ${RECALL_MAX}).`),
});

export const memorySearchTool = (memory: MemoryService): Tool =>
  defineTool({
    name: "memory_search",
    description:
      "Search everything remembered: workspace files (MEMORY.md, daily logs memory/*.md, learnings/, your own files) by keyword, and saved facts. Returns file paths with line numbers and snippets, plus facts.",
    input: memorySearchInput,
    run: (args, ctx) =>
      memory.search(
        { query: args.query, ...(args.limit !== undefined ? { limit: args.limit } : {}) },
        ctx.signal,
      ),
  });
