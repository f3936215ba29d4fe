import { z } from "zod";
import { defineTool, type Tool } from "../../tools/types.js";
import type { MemoryService } from "../memory-service.js";
import { MAX_FACT_BYTES } from "../text.js";

export const memorySaveInput = z.strictObject({
  text: z
    .string()
    .describe(
      `One self-contained fact, e.g. "The user's cat is named Whiskerino" (≤ ${MAX_FACT_BYTES} bytes).`,
    ),
  category: z
    .string()
    .optional()
    .describe(
      "Short lower-case category such as preference, personal, project, technical, contact, schedule.",
    ),
  key: z
    .string()
    .optional()
    .describe(
      'Stable subject, e.g. "user cat name". Saving a new value for the same key replaces the old fact (kept in history).',
    ),
  importance: z
    .number()
    .min(0)
    .max(1)
    .optional()
    .describe("0-1 (default 0.5); ≥ 0.7 shows the fact at the start of every session."),
});

export const memorySaveTool = (memory: MemoryService): Tool =>
  defineTool({
    name: "memory_save",
    description:
      "Save a durable fact to long-term memory (the structured DB and today's log memory/YYYY-MM-DD.md). Survives resets and restarts. Duplicates are merged; a fact with an existing key replaces the old one.",
    input: memorySaveInput,
    run: async (args, ctx) => {
      const r = await memory.save(
        {
          text: args.text,
          ...(args.category !== undefined ? { category: args.category } : {}),
          ...(args.key !== undefined ? { key: args.key } : {}),
          ...(args.importance !== undefined ? { importance: args.importance } : {}),
        },
        ctx.signal,
      );
      return {
        saved: r.action !== "duplicate",
        action: r.action,
        id: r.id,
        category: r.category,
        ...(r.previous && r.action === "superseded" ? { replaced: r.previous.text } : {}),
      };
    },
  });
