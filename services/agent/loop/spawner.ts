import { assembleSystemPrompt } from "../core/prompt.js";
import { ToolErrors } from "../tools/errors.js";
import type { ToolSource } from "../tools/provider.js";
import { SPAWN_MAX_CONCURRENT, SPAWN_MAX_DEPTH } from "../tools/spawn-agent.js";
import type { SpawnHost, ToolContext } from "../tools/types.js";
import { runLoop } from "./run.js";
import type { StepDeps } from "./step.js";

export interface SpawnerDeps {
  registry: ToolSource;
  step: StepDeps;
  maxOutputTokens?: number;
  temperature?: number;
}

/**
 * In-process sub-agents (ARCHITECTURE.md §8): each spawner belongs to one parent and lets at most
 * SPAWN_MAX_CONCURRENT children run at once; children get their own spawner one level deeper, and at
 * SPAWN_MAX_DEPTH spawn_agent is no longer offered. A child runs a task-mode loop with its own loop
 * detector and limits, under the parent's signal plus its TTL. Model calls use the parent's token, so
 * the proxy meters them against the parent's budget.
 */
export class Spawner implements SpawnHost {
  #active = 0;
  #seq = 0;

  constructor(
    readonly deps: SpawnerDeps,
    readonly depth: number,
  ) {}

  get active(): number {
    return this.#active;
  }

  async spawn(
    req: { task: string; role: string; tools?: string[]; ttlS: number },
    ctx: ToolContext,
  ): Promise<string> {
    if (this.depth >= SPAWN_MAX_DEPTH) {
      throw ToolErrors.spawnLimit(
        `sub-agents at depth ${this.depth} cannot spawn further (max depth ${SPAWN_MAX_DEPTH})`,
      );
    }
    if (this.#active >= SPAWN_MAX_CONCURRENT) {
      throw ToolErrors.spawnLimit(
        `${SPAWN_MAX_CONCURRENT} sub-agents are already running (the limit); wait for one to finish`,
      );
    }
    const childDepth = this.depth + 1;
    const parent = this.deps.registry.current();
    let names = req.tools ?? parent.names;
    if (childDepth >= SPAWN_MAX_DEPTH) names = names.filter((n) => n !== "spawn_agent");
    const registry = parent.subset(names);
    const child = new Spawner(this.deps, childDepth);
    const id = `${ctx.agentId}.sub${childDepth}-${++this.#seq}`;
    this.#active++;
    // The TTL timer is cleared when the child ends (AbortSignal.timeout would outlive it).
    const ttl = new AbortController();
    const ttlTimer = setTimeout(
      () => ttl.abort(new DOMException("The sub-agent's time limit was reached", "TimeoutError")),
      req.ttlS * 1000,
    );
    ttlTimer.unref();
    try {
      const system = assembleSystemPrompt({
        agentId: id,
        role: req.role,
        systemPrompt: `You are a sub-agent of "${ctx.agentId}". Complete the task and answer with the result; nobody can answer your questions.`,
        workspace: {},
        learnings: {},
        tools: registry.list(),
      });
      const signal = AbortSignal.any([ctx.signal, ttl.signal]);
      ctx.log.info({ sub: id, depth: childDepth, tools: registry.names.length }, "sub-agent started");
      const result = await runLoop({
        mode: "task",
        system,
        history: [],
        prompt: req.task,
        registry,
        toolCtx: { ...ctx, agentId: ctx.agentId, spawner: child, depth: childDepth },
        step: this.deps.step,
        signal,
        maxOutputTokens: this.deps.maxOutputTokens,
        temperature: this.deps.temperature,
      });
      ctx.log.info({ sub: id, status: result.status, calls: result.calls }, "sub-agent finished");
      if (result.status === "completed") return result.reply || "(the sub-agent finished without text)";
      const why =
        result.status === "cancelled" && !ctx.signal.aborted
          ? `time limit of ${req.ttlS} s reached`
          : (result.error?.message ?? result.status);
      throw ToolErrors.failed(
        "spawn_agent",
        `sub-agent ${id} ended with ${result.status}: ${why}${result.reply ? `; last text: ${result.reply.slice(0, 2000)}` : ""}`,
      );
    } finally {
      clearTimeout(ttlTimer);
      this.#active--;
    }
  }
}
