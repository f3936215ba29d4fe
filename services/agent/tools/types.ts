import type { Logger } from "pino";
import type { Dispatcher } from "undici";
import type { z } from "zod";
import type { MeshClient } from "./mesh/client.js";

/** What a sub-agent spawn needs from its parent runtime (implemented by loop/spawner.ts). */
export interface SpawnHost {
  spawn(
    req: { task: string; role: string; tools?: string[]; ttlS: number },
    ctx: ToolContext,
  ): Promise<string>;
}

/** Everything a tool may touch. Narrow on purpose: no tokens except through the clients. */
export interface ToolContext {
  agentId: string;
  /** Real path of the data root (/data in the container). */
  dataRoot: string;
  signal: AbortSignal;
  log: Logger;
  mesh: MeshClient;
  /** undici ProxyAgent pointed at the egress proxy with the agent token (never the env's proxy). */
  proxy: Dispatcher;
  spawner: SpawnHost;
  /** 0 for the top-level agent, 1.. for sub-agents. */
  depth: number;
}

/** One tool: name, description, zod input, and run (which may throw OlError; the loop feeds it back). */
export interface Tool<I extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  input: I;
  /** The JSON Schema sent to the model when it is not derived from `input` (MCP tools bring their own). */
  jsonSchema?: Record<string, unknown>;
  run(args: z.output<I>, ctx: ToolContext): Promise<unknown>;
}

/** Helper that keeps the input type attached to `run` when declaring a tool in its own file. */
export const defineTool = <I extends z.ZodType>(tool: Tool<I>): Tool => tool as unknown as Tool;
