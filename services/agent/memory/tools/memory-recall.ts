import { z } from "zod";
import { defineTool, type Tool } from "../../tools/types.js";
import { type MemoryService, RECALL_MAX } from "../memory-service.js";

export const memoryRecallInput = z.strictObject({
  query: z.string().describe('What to remember, in plain words (e.g. "user\'s cat name").'),
  category: z.string().optional().describe("Only facts in this category."),
  limit: z
    .int()
    .min(1)
    .max(RECALL_MAX)
    .optional()
    .describe(`Facts to return (default 8, max ${RECALL_MAX}).`),
});

export const memoryRecallTool = (memory: MemoryService): Tool =>
  defineTool({
    name: "memory_recall",
    description:
      "Recall facts from long-term memory (keyword + semantic search, ranked by relevance and how often a fact was useful). Optionally limit to one category.",
    input: memoryRecallInput,
    run: (args, ctx) =>
      memory.recall(
        {
          query: args.query,
          ...(args.category !== undefined ? { category: args.category } : {}),
          ...(args.limit !== undefined ? { limit: args.limit } : {}),
        },
        ctx.signal,
      ),
  });
