import type Database from "better-sqlite3";
import {
  type Decision,
  decide,
  type HeartbeatThresholds,
  type ProbeName,
  type ProbeResult,
  type ProbeResultName,
  wakePrompt,
} from "./policy.js";

export type Probe = (agent: string) => ProbeResult | Promise<ProbeResult>;

export interface HeartbeatDef {
  agent: string;
  every_ms: number;
  probes: ProbeName[];
}

export interface TickRecord {
  agent: string;
  /** When the tick started (before its probes ran). */
  at: number;
  probes: ProbeResult[];
  decision: Decision;
  cost_usd: number | null;
}

/** Records every tick (probes, decision, cost: 0 when not escalated, null = metered by the proxy). */
export class HeartbeatStore {
  readonly #s;
  readonly db: Database.Database;
  constructor(db: Database.Database) {
    this.db = db;
    const p = (sql: string) => db.prepare(sql);
    this.#s = {
      insert: p(
        "INSERT INTO heartbeat_ticks (agent, at, probes_json, decision, reason, cost_usd) VALUES (?, ?, ?, ?, ?, ?)",
      ),
      last: p("SELECT at FROM heartbeat_ticks WHERE agent = ? ORDER BY id DESC LIMIT 1"),
      recent: p(
        "SELECT agent, at, probes_json, decision, reason, cost_usd FROM heartbeat_ticks WHERE agent = ? ORDER BY id DESC LIMIT ?",
      ),
      trim: p(
        "DELETE FROM heartbeat_ticks WHERE agent = ? AND id NOT IN (SELECT id FROM heartbeat_ticks WHERE agent = ? ORDER BY id DESC LIMIT ?)",
      ),
    };
  }
  record(t: TickRecord): void {
    this.#s.insert.run(
      t.agent,
      t.at,
      JSON.stringify(t.probes),
      t.decision.kind,
      t.decision.reason,
      t.cost_usd,
    );
    this.#s.trim.run(t.agent, t.agent, 1000);
  }
  recent(
    agent: string,
    limit = 20,
  ): { at: number; decision: string; reason: string; cost_usd: number | null; probes: unknown }[] {
    return (
      this.#s.recent.all(agent, limit) as {
        at: number;
        decision: string;
        reason: string;
        cost_usd: number | null;
        probes_json: string;
      }[]
    ).map((r) => ({
      at: r.at,
      decision: r.decision,
      reason: r.reason,
      cost_usd: r.cost_usd,
      probes: JSON.parse(r.probes_json) as unknown,
    }));
  }
  /** When the agent's last recorded tick ran, or undefined before its first. */
  lastAt(agent: string): number | undefined {
    return (this.#s.last.get(agent) as { at: number } | undefined)?.at;
  }
  /** Consecutive most recent ticks whose probes included an error. */
  errorStreak(agent: string): number {
    let n = 0;
    for (const r of this.recent(agent, 50)) {
      const probes = r.probes as { ok: boolean }[];
      if (!probes.some((p) => !p.ok)) break;
      n++;
    }
    return n;
  }
}

/**
 * One heartbeat tick: run the cheap probes (each bounded by a timeout), let the pure policy decide,
 * then wake the agent (a bounded prompt) or alert the owner or do nothing; record the tick.
 */
export async function heartbeatTick(args: {
  def: HeartbeatDef;
  probes: Partial<Record<ProbeName, Probe>>;
  store: HeartbeatStore;
  now: () => number;
  busy: boolean;
  wake: (agent: string, prompt: string) => void;
  alertOwner: (agent: string, text: string) => void;
  thresholds?: HeartbeatThresholds;
  probe_timeout_ms?: number;
  /**
   * The agent's HEARTBEAT.md probes, evaluated as changes after `since` (the previous tick, or one
   * interval ago). They run on every tick that is not busy, whatever `def.probes` lists.
   */
  custom?: (agent: string, since: number) => Promise<ProbeResult[]>;
}): Promise<TickRecord> {
  const { def } = args;
  const startedAt = args.now();
  const results: ProbeResult[] = [];
  if (!args.busy) {
    for (const name of def.probes) {
      const probe = args.probes[name];
      if (!probe) {
        results.push({ probe: name, ok: false, error: "probe not available in this mesh" });
        continue;
      }
      results.push(
        await withTimeout(
          name,
          Promise.resolve().then(() => probe(def.agent)),
          args.probe_timeout_ms ?? 10_000,
        ),
      );
    }
    if (args.custom) {
      const since = args.store.lastAt(def.agent) ?? startedAt - def.every_ms;
      const custom = args.custom;
      const out = await withTimeout(
        "custom",
        Promise.resolve()
          .then(() => custom(def.agent, since))
          .then((rs) => ({ rs })),
        args.probe_timeout_ms ?? 10_000,
      );
      if ("rs" in out) results.push(...out.rs.slice(0, 20));
      else results.push(out);
    }
  }
  const decision = decide({
    results,
    thresholds: args.thresholds,
    priorErrorTicks: args.store.errorStreak(def.agent),
    busy: args.busy,
  });
  if (decision.kind === "wake") args.wake(def.agent, wakePrompt(def.agent, decision.findings));
  if (decision.kind === "alert_owner")
    args.alertOwner(def.agent, `Heartbeat of ${def.agent}: ${decision.reason}`);
  const record: TickRecord = {
    agent: def.agent,
    at: startedAt,
    probes: results,
    decision,
    cost_usd: decision.kind === "wake" ? null : 0,
  };
  if (args.store.db.open) args.store.record(record);
  return record;
}

async function withTimeout<T>(
  name: ProbeResultName,
  p: Promise<T | ProbeResult>,
  ms: number,
): Promise<T | ProbeResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ProbeResult>((resolve) => {
    timer = setTimeout(() => resolve({ probe: name, ok: false, error: `timed out after ${ms} ms` }), ms);
  });
  try {
    return await Promise.race([
      p.catch((e: unknown) => ({
        probe: name,
        ok: false as const,
        error: e instanceof Error ? e.message.slice(0, 200) : "failed",
      })),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
