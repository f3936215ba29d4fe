import type { z } from "zod";
import {
  heartbeatSchema,
  scheduleSchema,
  type WebhookConfig,
  webhookSchema,
} from "../../../../common/contracts/fleet/triggers.js";
import { meshWatcherSchema } from "../../../../common/contracts/fleet/watchers.js";
import type { MeshConfig } from "../../../../common/contracts/mesh-config.js";
import type { Json } from "../cel.js";
import { toMs } from "../durations.js";
import { OrchErrors } from "../errors.js";
import type { HeartbeatDef } from "../heartbeat/heartbeat.js";
import { normalizeCatchUp } from "../schedule/plan.js";
import type { ScheduleInput } from "../schedule/scheduler.js";
import { parseSpec } from "../schedule/spec.js";
import type { WatcherDef } from "../watcher/watcher.js";
import { isWorkflowDef, loadWorkflow } from "../workflow/definition.js";
import { type LoadedDefinition, loaded } from "../workflow/runner.js";

/** Sections parsed with the fleet config's own schemas (services/common/contracts/fleet). */
export type WebhookDef = WebhookConfig;

export interface OrchestrationConfig {
  workflows: Map<string, LoadedDefinition>;
  schedules: ScheduleInput[];
  heartbeats: HeartbeatDef[];
  webhooks: Map<string, WebhookDef>;
  watchers: WatcherDef[];
}

function parseEach<T>(what: string, list: readonly unknown[], schema: z.ZodType<T>): T[] {
  return list.map((raw, i) => {
    const r = schema.safeParse(raw);
    if (!r.success)
      throw OrchErrors.badConfig(
        `${what}[${i}]`,
        r.error.issues.map((x) => `${x.path.join(".")}: ${x.message}`).join("; "),
      );
    return r.data;
  });
}

/** Reads and checks the orchestration sections of the compiled mesh config; every problem is fatal at boot. */
export function orchestrationConfig(config: MeshConfig): OrchestrationConfig {
  const workflows = new Map<string, LoadedDefinition>();
  config.workflows.forEach((raw, i) => {
    const def = loadWorkflow(raw);
    if (!isWorkflowDef(def))
      throw OrchErrors.badConfig(`workflows[${i}] (${def.name})`, def.issues.join("; "));
    if (workflows.has(def.name))
      throw OrchErrors.badConfig(`workflows[${i}]`, `duplicate workflow name "${def.name}"`);
    workflows.set(def.name, loaded(def, raw as Json));
  });
  const schedules = parseEach("schedules", config.schedules, scheduleSchema).map(
    (s): ScheduleInput => ({
      id: `config:${s.name}`,
      source: "config",
      agent: s.agent ?? "",
      spec: s.cron ?? s.every ?? "",
      timezone: s.cron ? s.timezone : "UTC",
      message: s.message ?? "",
      workflow: s.workflow ?? null,
      catch_up: normalizeCatchUp(s.catch_up, "skip"),
      jitter_ms: s.jitter ? toMs(s.jitter) : 0,
    }),
  );
  const heartbeats = parseEach("heartbeats", config.heartbeats, heartbeatSchema).map((h) => ({
    agent: h.agent,
    every_ms: Math.max(toMs(h.every), 60_000),
    probes: h.probes,
  }));
  const webhooks = new Map(parseEach("webhooks", config.webhooks, webhookSchema).map((w) => [w.name, w]));
  const watchers = parseEach("watchers", config.watchers, meshWatcherSchema).map((w, i) => ({
    id: `w${i}:${w.path}:${w.pattern}`,
    // Inside the mesh container the host directory is bind-mounted at `mount`; poll there.
    path: w.mount ?? w.path,
    pattern: w.pattern,
    agent: w.agent,
    message: w.message,
    interval_ms: Math.max(toMs(w.interval), 1000),
  }));
  for (const s of schedules) {
    parseSpec(s.spec, s.timezone); // a bad spec is fatal here, not later when the scheduler starts
    if (s.workflow && !workflows.has(s.workflow))
      throw OrchErrors.badConfig(`schedules.${s.id.slice(7)}.workflow`, `unknown workflow "${s.workflow}"`);
  }
  for (const [n, w] of webhooks)
    if (w.workflow && !workflows.has(w.workflow))
      throw OrchErrors.badConfig(`webhooks.${n}.workflow`, `unknown workflow "${w.workflow}"`);
  return { workflows, schedules, heartbeats, webhooks, watchers };
}
