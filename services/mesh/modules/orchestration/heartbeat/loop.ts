import type Database from "better-sqlite3";
import { z } from "zod";
import type { HeartbeatDef } from "./heartbeat.js";
import type { ProbeName } from "./policy.js";

export const DEFAULT_HEARTBEAT_MS = 15 * 60_000;
export const DEFAULT_PROBES: ProbeName[] = ["disk", "signals", "tasks"];
export const MIN_HEARTBEAT_MS = 60_000;
export const MAX_HEARTBEAT_MS = 24 * 3_600_000;

export interface HeartbeatSetting {
  agent: string;
  enabled: boolean;
  every_ms: number;
  probes: ProbeName[];
  source: "config" | "agent" | "default";
}

const probesSchema = z.array(z.enum(["disk", "signals", "tasks", "inbox"]));

/** "every 15m", "15m", "2h" → ms (1 minute to 24 hours), or undefined. */
export function heartbeatInterval(text: string): number | undefined {
  const m = /^(?:every )?(\d{1,5})(m|h)$/.exec(text.trim());
  if (!m) return undefined;
  const ms = Number(m[1]) * (m[2] === "h" ? 3_600_000 : 60_000);
  return ms >= MIN_HEARTBEAT_MS && ms <= MAX_HEARTBEAT_MS ? ms : undefined;
}

/** Agents' own heartbeat settings (set_heartbeat), overriding mesh.yaml's `heartbeats:` per field. */
export class HeartbeatSettings {
  readonly #s;
  constructor(db: Database.Database) {
    this.#s = {
      upsert: db.prepare(`INSERT INTO heartbeat_settings (agent, enabled, every_ms, probes_json, updated_at)
        VALUES (?, ?, ?, ?, ?) ON CONFLICT(agent) DO UPDATE SET enabled = excluded.enabled,
        every_ms = excluded.every_ms, probes_json = excluded.probes_json, updated_at = excluded.updated_at`),
      all: db.prepare("SELECT agent, enabled, every_ms, probes_json FROM heartbeat_settings ORDER BY agent"),
    };
  }
  put(s: Omit<HeartbeatSetting, "source">, at: number): void {
    this.#s.upsert.run(s.agent, s.enabled ? 1 : 0, s.every_ms, JSON.stringify(s.probes), at);
  }
  all(): HeartbeatSetting[] {
    return (
      this.#s.all.all() as { agent: string; enabled: number; every_ms: number; probes_json: string }[]
    ).map((r) => ({
      agent: r.agent,
      enabled: r.enabled === 1,
      every_ms: r.every_ms,
      probes: probesSchema.parse(JSON.parse(r.probes_json)),
      source: "agent" as const,
    }));
  }
}

/**
 * The heartbeat scheduler: one check every `tick_ms` runs each enabled agent whose interval is due
 * (one tick per agent at a time). Effective settings = config, then the agent's stored overrides.
 * The first tick of an agent comes one interval after boot or after its settings change.
 */
export class HeartbeatLoop {
  readonly #config: ReadonlyMap<string, HeartbeatDef>;
  readonly #store: HeartbeatSettings;
  readonly #clock: { now(): number };
  readonly #run: (def: HeartbeatDef) => Promise<unknown>;
  readonly #tickMs: number;
  readonly #onError: (error: unknown) => void;
  readonly #stored = new Map<string, HeartbeatSetting>();
  readonly #next = new Map<string, number>();
  readonly #inflight = new Set<string>();
  #timer: NodeJS.Timeout | undefined;

  constructor(deps: {
    config: readonly HeartbeatDef[];
    store: HeartbeatSettings;
    clock: { now(): number };
    run: (def: HeartbeatDef) => Promise<unknown>;
    tick_ms?: number;
    onError?: (error: unknown) => void;
  }) {
    this.#config = new Map(deps.config.map((d) => [d.agent, d]));
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#run = deps.run;
    this.#tickMs = deps.tick_ms ?? 5_000;
    this.#onError = deps.onError ?? (() => {});
    for (const s of deps.store.all()) this.#stored.set(s.agent, s);
  }

  effective(agent: string): HeartbeatSetting {
    const stored = this.#stored.get(agent);
    if (stored) return stored;
    const cfg = this.#config.get(agent);
    if (cfg) return { agent, enabled: true, every_ms: cfg.every_ms, probes: cfg.probes, source: "config" };
    return {
      agent,
      enabled: false,
      every_ms: DEFAULT_HEARTBEAT_MS,
      probes: DEFAULT_PROBES,
      source: "default",
    };
  }

  /** Persists an agent's change (omitted fields keep their effective value) and re-arms its interval. */
  set(
    agent: string,
    change: { enabled?: boolean; every_ms?: number; probes?: ProbeName[] },
  ): HeartbeatSetting {
    const current = this.effective(agent);
    const next: HeartbeatSetting = {
      agent,
      enabled: change.enabled ?? (current.source === "default" ? true : current.enabled),
      every_ms: change.every_ms ?? current.every_ms,
      probes: change.probes ? [...new Set(change.probes)] : current.probes,
      source: "agent",
    };
    this.#store.put(next, this.#clock.now());
    this.#stored.set(agent, next);
    this.#next.set(agent, this.#clock.now() + next.every_ms);
    return next;
  }

  nextAt(agent: string): number | null {
    const s = this.effective(agent);
    return s.enabled ? (this.#next.get(agent) ?? null) : null;
  }

  #agents(): string[] {
    return [...new Set([...this.#config.keys(), ...this.#stored.keys()])];
  }

  /** Runs every due heartbeat (awaiting them); returns how many ran. Also what the timer calls. */
  async runDue(): Promise<number> {
    const now = this.#clock.now();
    const due: HeartbeatDef[] = [];
    for (const agent of this.#agents()) {
      const s = this.effective(agent);
      if (!s.enabled || this.#inflight.has(agent)) continue;
      const at = this.#next.get(agent);
      if (at === undefined) {
        this.#next.set(agent, now + s.every_ms);
        continue;
      }
      if (at > now) continue;
      this.#next.set(agent, now + s.every_ms);
      due.push({ agent, every_ms: s.every_ms, probes: s.probes });
    }
    await Promise.all(
      due.map(async (def) => {
        this.#inflight.add(def.agent);
        try {
          await this.#run(def);
        } catch (error) {
          this.#onError(error);
        } finally {
          this.#inflight.delete(def.agent);
        }
      }),
    );
    return due.length;
  }

  start(): void {
    void this.runDue();
    this.#timer = setInterval(() => void this.runDue(), this.#tickMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
