import type { AgentStatus } from "../../services/common/contracts/mesh-routes.js";
import type { CostsReport } from "../../services/common/contracts/proxy-admin-routes.js";
import type { ContainerInfo } from "./parse.js";
import type { RenderedFleet } from "./rendered.js";
import { formatTable, formatUptime, formatUsd } from "./table.js";

/** One row of `openlegion status` (also its --json shape). */
export interface ServiceStatus {
  service: string;
  agent: string | null;
  state: string;
  health: string;
  uptime_s: number | null;
  restarts: number;
  /**
   * in-sync: the container runs the rendered config; stale: `openlegion up` would recreate it;
   * external: not ours (a docker-compose.override.yml service, no OpenLegion labels), left alone.
   */
  config: "in-sync" | "stale" | "not-running" | "unknown" | "external";
  queue: number | null;
  today_usd: number | null;
  daily_budget_usd: number | null;
}

/** Pure: rendered file + containers + (optional) mesh status and costs → rows. */
export function statusRows(
  fleet: RenderedFleet,
  containers: readonly ContainerInfo[],
  mesh: AgentStatus[] | undefined,
  costs: CostsReport | undefined,
  now: Date,
): ServiceStatus[] {
  const byService = new Map(containers.map((c) => [c.service, c]));
  const meshBy = new Map((mesh ?? []).map((a) => [a.id, a]));
  const names = [
    ...fleet.services,
    ...containers.map((c) => c.service).filter((s) => !fleet.services.includes(s)),
  ];
  return names.map((service) => {
    const c = byService.get(service);
    const agent = fleet.agents.get(service) ?? c?.labels["io.openlegion.agent"] ?? null;
    const want = fleet.hashes.get(service);
    const have = c?.labels["io.openlegion.config-hash"];
    const config: ServiceStatus["config"] = !c
      ? "not-running"
      : want === undefined || have === undefined
        ? "unknown"
        : want === have
          ? "in-sync"
          : "stale";
    const m = agent ? meshBy.get(agent) : undefined;
    const cost = agent ? costs?.agents[agent] : undefined;
    return {
      service,
      agent,
      state: c ? c.state : "absent",
      health: c ? (c.health === "none" ? "-" : c.health) : "-",
      uptime_s:
        c?.state === "running" && c.startedAt
          ? Math.floor((now.getTime() - c.startedAt.getTime()) / 1000)
          : null,
      restarts: c?.restartCount ?? 0,
      config: fleet.services.includes(service) ? config : have === undefined ? "external" : "stale",
      queue: m ? m.pending : null,
      today_usd: cost ? cost.today_usd : null,
      daily_budget_usd: cost ? cost.budget.daily_usd : null,
    };
  });
}

const CONFIG_TEXT: Record<ServiceStatus["config"], string> = {
  "in-sync": "in sync",
  stale: "STALE (run openlegion up)",
  "not-running": "-",
  unknown: "?",
  external: "external (not rendered by openlegion)",
};

export function formatStatus(rows: readonly ServiceStatus[], now: Date): string {
  return formatTable(
    ["SERVICE", "STATE", "HEALTH", "UPTIME", "CONFIG", "QUEUE", "TODAY"],
    rows.map((r) => [
      r.service,
      r.restarts > 0 ? `${r.state} (${r.restarts} restarts)` : r.state,
      r.health,
      r.uptime_s === null ? "-" : formatUptime(new Date(now.getTime() - r.uptime_s * 1000), now),
      CONFIG_TEXT[r.config],
      r.queue === null ? "-" : String(r.queue),
      r.today_usd === null ? "-" : `${formatUsd(r.today_usd)} / ${formatUsd(r.daily_budget_usd ?? 0)}`,
    ]),
  );
}

/** Costs by agent (today, month, budget) and by model (today, month), as two tables. */
export function formatCosts(report: CostsReport): string {
  const agents = Object.entries(report.agents).sort(([a], [b]) => (a < b ? -1 : 1));
  const byAgent = formatTable(
    ["AGENT", "TODAY", "DAILY BUDGET", "MONTH", "MONTHLY BUDGET", ""],
    agents.map(([id, a]) => [
      id,
      formatUsd(a.today_usd),
      formatUsd(a.budget.daily_usd),
      formatUsd(a.month_usd),
      formatUsd(a.budget.monthly_usd),
      a.frozen ? "FROZEN" : a.today_usd >= a.budget.daily_usd ? "over budget" : "",
    ]),
  );
  const models = new Map<string, { today: number; month: number; calls: number }>();
  for (const row of report.by_model) {
    const key = `${row.agent}\u0000${row.model}`;
    const m = models.get(key) ?? { today: 0, month: 0, calls: 0 };
    if (row.day === report.day) m.today += row.cost_usd;
    if (row.day.startsWith(report.month)) {
      m.month += row.cost_usd;
      m.calls += row.calls;
    }
    models.set(key, m);
  }
  const rows = [...models.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, m]) => {
      const [agent = "", model = ""] = key.split("\u0000");
      return [agent, model, String(m.calls), formatUsd(m.today), formatUsd(m.month)];
    });
  const byModel =
    rows.length > 0
      ? formatTable(["AGENT", "MODEL", "CALLS (MONTH)", "TODAY", "MONTH"], rows)
      : "no LLM calls this month\n";
  const total = agents.reduce((s, [, a]) => s + a.today_usd, 0);
  return `${byAgent}\n${byModel}\ntotal today: ${formatUsd(total)} (${report.day})\n`;
}
