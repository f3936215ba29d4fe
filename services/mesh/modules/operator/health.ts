import type { MeshContext } from "../../context.js";
import { type HealthResult, probeHealth } from "../../delivery/agent-client.js";

export interface AgentHealth extends HealthResult {
  checked_at: number;
}

/**
 * Agent health as last seen by calling each agent's /healthz (with the mesh token). Probes run in
 * parallel with a short timeout, so a down agent costs at most one timeout; results are cached briefly
 * so a busy status view does not hammer the fleet.
 */
export class HealthView {
  readonly #cache = new Map<string, { at: number; result: AgentHealth }>();
  private readonly ctx: MeshContext;
  constructor(ctx: MeshContext) {
    this.ctx = ctx;
  }

  async all(refresh: boolean): Promise<Map<string, AgentHealth>> {
    const { ctx } = this;
    const now = performance.now();
    const entries = await Promise.all(
      [...ctx.identity.agents.values()].map(async (agent) => {
        const cached = this.#cache.get(agent.id);
        if (!refresh && cached && now - cached.at < ctx.limits.health_cache_ms)
          return [agent.id, cached.result] as const;
        const result = await probeHealth(agent, {
          http: ctx.http,
          tokens: ctx.identity,
          timeoutMs: ctx.limits.health_timeout_ms,
        });
        const health = { ...result, checked_at: ctx.clock.now() };
        if (health.up) ctx.delivery.healthy(agent.id);
        this.#cache.set(agent.id, { at: performance.now(), result: health });
        return [agent.id, health] as const;
      }),
    );
    return new Map(entries);
  }
}
