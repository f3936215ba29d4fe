import { AGENT_PATHS, agentHealthSchema } from "../../../common/contracts/mesh-api.js";
import type { MeshContext } from "../../context.js";
import { callAgent, errorText, readCapped } from "../../delivery/agent-client.js";
import type { Probe } from "../heartbeat/heartbeat.js";
import type { ProbeName } from "../heartbeat/policy.js";

const HEALTH_MAX_BYTES = 64 * 1024;

/**
 * Disk use of the agent's data root, from its `GET /healthz` (called with that agent's own mesh token).
 * The value is a fraction (0..1) for the policy's `disk_fraction` threshold.
 */
export function diskProbe(ctx: MeshContext): Probe {
  return async (agent) => {
    const entry = ctx.identity.agent(agent);
    let text: string;
    let status: number;
    try {
      const res = await callAgent(entry, AGENT_PATHS.health, {
        http: ctx.http,
        tokens: ctx.identity,
        timeoutMs: ctx.limits.health_timeout_ms,
        method: "GET",
      });
      status = res.statusCode;
      text = await readCapped(res.body, HEALTH_MAX_BYTES);
    } catch (error) {
      return { probe: "disk", ok: false, error: `agent unreachable: ${errorText(error)}` };
    }
    if (status < 200 || status >= 300)
      return { probe: "disk", ok: false, error: `agent answered HTTP ${status}` };
    let parsed: ReturnType<typeof agentHealthSchema.safeParse>;
    try {
      parsed = agentHealthSchema.safeParse(JSON.parse(text));
    } catch {
      return { probe: "disk", ok: false, error: "agent health reply is not JSON" };
    }
    if (!parsed.success) return { probe: "disk", ok: false, error: "agent health reply breaks the contract" };
    const disk = parsed.data.disk;
    if (!disk) return { probe: "disk", ok: false, error: "agent reports no disk figure" };
    return {
      probe: "disk",
      ok: true,
      value: disk.used_pct / 100,
      detail: `${disk.used_pct}% of /data used (${Math.round(disk.free_bytes / 1_048_576)} MiB free)`,
    };
  };
}

/** The cheap probes: disk over HTTP, the rest from the mesh's own database. */
export function meshProbes(ctx: MeshContext): Record<ProbeName, Probe> {
  const countKeys = (prefix: string) =>
    ctx.store.blackboard.scan(prefix, "", 1001).filter((r) => r.deleted === 0).length;
  const keys =
    (probe: "signals" | "tasks"): Probe =>
    (agent) => {
      const n = countKeys(`${probe}/${agent}/`);
      return { probe, ok: true, value: n, detail: `${n} keys under ${probe}/${agent}/` };
    };
  return {
    disk: diskProbe(ctx),
    signals: keys("signals"),
    tasks: keys("tasks"),
    inbox: (agent) => {
      const n = ctx.store.inbox.depth(agent);
      return { probe: "inbox", ok: true, value: n, detail: `${n} undelivered messages` };
    },
  };
}
