import { z } from "zod";
import { defineTool } from "./types.js";

export const SPAWN_MAX_CONCURRENT = 3;
export const SPAWN_MAX_DEPTH = 2;
export const SPAWN_MAX_TTL_S = 600;
export const SPAWN_DEFAULT_TTL_S = 300;

export const spawnAgentTool = defineTool({
  name: "spawn_agent",
  description: `Run a sub-agent in this container on a self-contained task and wait for its answer. At most ${SPAWN_MAX_CONCURRENT} at once, nesting depth ${SPAWN_MAX_DEPTH}, time limit ${SPAWN_MAX_TTL_S} s. It shares /data and your budget; pick the tools it needs (default: all but spawn_agent at the deepest level).`,
  input: z.strictObject({
    task: z.string().min(1).max(20_000),
    role: z.string().min(1).max(200).optional(),
    tools: z.array(z.string().max(64)).max(64).optional(),
    ttl_s: z.int().min(1).max(SPAWN_MAX_TTL_S).optional(),
  }),
  async run(args, ctx) {
    return ctx.spawner.spawn(
      {
        task: args.task,
        role: args.role ?? "sub-agent",
        ttlS: args.ttl_s ?? SPAWN_DEFAULT_TTL_S,
        ...(args.tools ? { tools: args.tools } : {}),
      },
      ctx,
    );
  },
});
