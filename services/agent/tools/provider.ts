import type { Logger } from "pino";
import type { AgentManifest } from "../../common/contracts/agent-manifest.js";
import { safeToolName } from "./names.js";
import { ToolRegistry } from "./registry.js";
import type { Tool } from "./types.js";

/** What a provider may read when it starts: the agent's manifest, its data root and a logger. */
export interface ProviderContext {
  manifest: AgentManifest;
  dataRoot: string;
  log: Logger;
}

/**
 * One source of tools (built-ins, memory, mesh, MCP servers, skills…). A new capability is a new
 * provider in build.ts; the runtime and the loop only ever see the merged registry.
 */
export interface ToolProvider {
  readonly id: string;
  /**
   * On a name clash with a tool of an earlier provider: undefined = a configuration error (built-ins
   * never clash); a prefix = the later tool is exposed as `<prefix><name>` (MCP: `mcp_<server>_`).
   */
  readonly clashPrefix?: string;
  /** Starts resources (child processes, connections). Called once before the first tools(). */
  start?(ctx: ProviderContext): Promise<void>;
  /** The tools available now (may change between turns, e.g. an MCP server's list_changed). */
  tools(): readonly Tool[];
  /** A line for the agent's status (e.g. MCP servers and their negotiated protocol revisions). */
  status?(): unknown;
  stop?(): Promise<void>;
}

/** Anything the runtime can ask for the tools of this turn: a fixed registry or a Toolbox. */
export interface ToolSource {
  current(): ToolRegistry;
  /** Per provider that reports one (MCP servers: state, protocol revision, held tools). */
  status?(): Record<string, unknown>;
}

/** A fixed list of tools as a provider (built-ins, memory tools). */
export const staticProvider = (id: string, tools: readonly Tool[]): ToolProvider => ({
  id,
  tools: () => tools,
});

/** Gives a tool another name (same description, input and run). */
const renamed = (tool: Tool, name: string): Tool => ({ ...tool, name });

/**
 * Merges the providers' tools in provider order. A clash either throws (duplicate tool) or renames the
 * later tool with its provider's prefix; the merged registry is rebuilt only when a provider's list
 * changed (same tool objects → same registry).
 */
export class Toolbox implements ToolSource {
  readonly #providers: readonly ToolProvider[];
  #last: { lists: (readonly Tool[])[]; registry: ToolRegistry } | undefined;

  constructor(providers: readonly ToolProvider[]) {
    this.#providers = providers;
  }

  async start(ctx: ProviderContext): Promise<void> {
    await Promise.all(this.#providers.map((p) => p.start?.(ctx)));
  }

  current(): ToolRegistry {
    const lists = this.#providers.map((p) => p.tools());
    if (this.#last?.lists.every((l, i) => l === lists[i])) return this.#last.registry;
    const merged: Tool[] = [];
    const taken = new Set<string>();
    lists.forEach((tools, i) => {
      const prefix = this.#providers[i]?.clashPrefix;
      for (const tool of tools) {
        const t =
          taken.has(tool.name) && prefix !== undefined
            ? renamed(tool, safeToolName(`${prefix}${tool.name}`))
            : tool;
        taken.add(t.name);
        merged.push(t);
      }
    });
    const registry = new ToolRegistry(merged);
    this.#last = { lists, registry };
    return registry;
  }

  status(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const p of this.#providers) if (p.status) out[p.id] = p.status();
    return out;
  }

  async stop(): Promise<void> {
    await Promise.all(this.#providers.map((p) => p.stop?.().catch(() => {})));
  }
}
