import { readCapped } from "../../../../common/client/read-capped.js";
import { AgentRoutes } from "../../../../common/contracts/agent-routes.js";
import { type AgentHealth, agentHealthSchema } from "../../../../common/contracts/mesh-api.js";
import type { MeshContext } from "../../../context.js";
import { keyProblem } from "../../../core/keys.js";
import { callAgent, errorText } from "../../../delivery/agent-client.js";
import { customProbeResults } from "../heartbeat/custom.js";
import type { Probe } from "../heartbeat/heartbeat.js";
import type { ProbeName, ProbeResult } from "../heartbeat/policy.js";

const HEALTH_MAX_BYTES = 64 * 1024;

/** The agent's `GET /healthz` (called with that agent's own mesh token), or why it failed. */
export async function fetchHealth(ctx: MeshContext, agent: string): Promise<AgentHealth | string> {
  const entry = ctx.identity.agent(agent);
  let text: string;
  let status: number;
  try {
    const res = await callAgent(entry, AgentRoutes.health, {
      http: ctx.http,
      tokens: ctx.identity,
      timeoutMs: ctx.limits.health_timeout_ms,
    });
    status = res.statusCode;
    text = await readCapped(res.body, HEALTH_MAX_BYTES);
  } catch (error) {
    return `agent unreachable: ${errorText(error)}`;
  }
  if (status < 200 || status >= 300) return `agent answered HTTP ${status}`;
  let parsed: ReturnType<typeof agentHealthSchema.safeParse>;
  try {
    parsed = agentHealthSchema.safeParse(JSON.parse(text));
  } catch {
    return "agent health reply is not JSON";
  }
  return parsed.success ? parsed.data : "agent health reply breaks the contract";
}

/** Disk use of the agent's data root as a fraction (0..1) for the policy's `disk_fraction`. */
export function diskProbe(health: (agent: string) => Promise<AgentHealth | string>): Probe {
  return async (agent) => {
    const h = await health(agent);
    if (typeof h === "string") return { probe: "disk", ok: false, error: h };
    const disk = h.disk;
    if (!disk) return { probe: "disk", ok: false, error: "agent reports no disk figure" };
    return {
      probe: "disk",
      ok: true,
      value: disk.used_pct / 100,
      detail: `${disk.used_pct}% of /data used (${Math.round(disk.free_bytes / 1_048_576)} MiB free)`,
    };
  };
}

/**
 * The agent's HEARTBEAT.md probes from the same `/healthz` reply. An unreachable agent yields no
 * custom results (the `disk` probe already reports that); an agent that declares none yields none.
 */
export function customProbes(
  ctx: MeshContext,
  health: (agent: string) => Promise<AgentHealth | string>,
): (agent: string, since: number) => Promise<ProbeResult[]> {
  return async (agent, since) => {
    const h = await health(agent);
    if (typeof h === "string") return [];
    return customProbeResults(h.heartbeat ?? null, {
      since,
      keyProblem,
      inboxDepth: ctx.store.inbox.depth(agent),
      board: (key) => {
        const row = ctx.store.blackboard.get(key);
        return row && row.deleted === 0 ? row : undefined;
      },
    });
  };
}

/** One `/healthz` call per tick and agent, shared by the disk and HEARTBEAT.md probes. */
export function healthOnce(ctx: MeshContext): (agent: string) => Promise<AgentHealth | string> {
  const calls = new Map<string, Promise<AgentHealth | string>>();
  return (agent) => {
    let call = calls.get(agent);
    if (!call) {
      call = fetchHealth(ctx, agent);
      calls.set(agent, call);
    }
    return call;
  };
}

/** The cheap probes: disk over HTTP, the rest from the mesh's own database. */
export function meshProbes(
  ctx: MeshContext,
  health: (agent: string) => Promise<AgentHealth | string>,
): Record<ProbeName, Probe> {
  const countKeys = (prefix: string) =>
    ctx.store.blackboard.scan(prefix, "", 1001).filter((r) => r.deleted === 0).length;
  const keys =
    (probe: "signals" | "tasks"): Probe =>
    (agent) => {
      const n = countKeys(`${probe}/${agent}/`);
      return { probe, ok: true, value: n, detail: `${n} keys under ${probe}/${agent}/` };
    };
  return {
    disk: diskProbe(health),
    signals: keys("signals"),
    tasks: keys("tasks"),
    inbox: (agent) => {
      const n = ctx.store.inbox.depth(agent);
      return { probe: "inbox", ok: true, value: n, detail: `${n} undelivered messages` };
    },
  };
}
