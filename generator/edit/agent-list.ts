import { resolve } from "node:path";
import type { CliIo } from "../cli/io.js";
import { loadFleet } from "../config/load.js";

export interface AgentRow {
  id: string;
  role: string;
  model: string;
  budget: { daily_usd: number; monthly_usd: number };
}

const usd = (n: number): string => `$${n.toFixed(2)}`;

/** A plain text table with columns padded to their widest cell. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join("\n")}\n`;
}

export async function runAgentList(opts: { dir?: string; json?: boolean }, io: CliIo): Promise<AgentRow[]> {
  const fleet = await loadFleet(resolve(io.cwd, opts.dir ?? "."));
  const rows: AgentRow[] = fleet.agents.map((agent) => ({
    id: agent.id,
    role: agent.role,
    model: agent.model,
    budget: { daily_usd: agent.budget.daily_usd, monthly_usd: agent.budget.monthly_usd },
  }));
  if (opts.json) io.stdout(`${JSON.stringify(rows, null, 2)}\n`);
  else if (rows.length === 0) io.stdout("No agents. Add one with `openlegion agent add <name>`.\n");
  else {
    const cells = rows.map((r) => [
      r.id,
      r.role,
      r.model,
      `${usd(r.budget.daily_usd)}/day, ${usd(r.budget.monthly_usd)}/month`,
    ]);
    io.stdout(formatTable(["ID", "ROLE", "MODEL", "BUDGET"], cells));
  }
  return rows;
}
