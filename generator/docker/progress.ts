import type { ContainerInfo } from "./parse.js";

/** Where a service is on its way to ready. */
export type Phase =
  | "pending"
  | "created"
  | "starting"
  | "healthy"
  | "running"
  | "unhealthy"
  | "restarting"
  | "exited";

export interface ServiceProgress {
  service: string;
  phase: Phase;
  detail: string;
}

export interface Assessment {
  rows: ServiceProgress[];
  /** Every expected service is healthy (or running without a healthcheck). */
  ready: boolean;
  /** Services that will not become healthy without help (unhealthy, crash-looping, exited). */
  failed: string[];
}

/** A container restarted this often while we wait is crash-looping. */
export const CRASH_LOOP_RESTARTS = 3;

/** Pure: expected service names + the project's containers → one row per service. */
export function assess(
  expected: readonly string[],
  containers: readonly ContainerInfo[],
  settled = true,
): Assessment {
  // During a recreate, Compose v1 renames the old container and starts a new one: prefer the running one.
  const byService = new Map<string, ContainerInfo>();
  for (const c of containers) {
    const seen = byService.get(c.service);
    if (!seen || (seen.state !== "running" && c.state === "running")) byService.set(c.service, c);
  }
  const rows: ServiceProgress[] = [];
  const failed: string[] = [];
  for (const service of expected) {
    const c = byService.get(service);
    let row = phaseOf(service, c);
    // While `compose up` still runs, an exited container is one being replaced, not a failure.
    if (!settled && row.phase === "exited") row = { service, phase: "starting", detail: "being recreated" };
    rows.push(row);
    const crashLoop = c !== undefined && c.restartCount >= CRASH_LOOP_RESTARTS && row.phase !== "healthy";
    if (row.phase === "unhealthy" || row.phase === "exited" || crashLoop) failed.push(service);
  }
  const ready = rows.every((r) => r.phase === "healthy" || r.phase === "running");
  return { rows, ready, failed };
}

function phaseOf(service: string, c: ContainerInfo | undefined): ServiceProgress {
  if (!c) return { service, phase: "pending", detail: "not created yet" };
  const restarts = c.restartCount > 0 ? `, ${c.restartCount} restart${c.restartCount === 1 ? "" : "s"}` : "";
  switch (c.state) {
    case "created":
      return { service, phase: "created", detail: "created, waiting for dependencies" };
    case "restarting":
      return { service, phase: "restarting", detail: `restarting (last exit ${c.exitCode}${restarts})` };
    case "exited":
    case "dead":
      return { service, phase: "exited", detail: `exited with code ${c.exitCode}${restarts}` };
    case "running":
      if (c.health === "healthy") return { service, phase: "healthy", detail: `healthy${restarts}` };
      if (c.health === "unhealthy") return { service, phase: "unhealthy", detail: `unhealthy${restarts}` };
      if (c.health === "starting")
        return { service, phase: "starting", detail: `health: starting${restarts}` };
      return { service, phase: "running", detail: `running (no healthcheck)${restarts}` };
    default:
      return { service, phase: "starting", detail: c.state };
  }
}

const MARK: Record<Phase, string> = {
  pending: "·",
  created: "·",
  starting: "…",
  healthy: "✓",
  running: "✓",
  unhealthy: "✗",
  restarting: "!",
  exited: "✗",
};

/** One line per service, names aligned: "  ✓ mesh            healthy". */
export function formatRows(rows: readonly ServiceProgress[]): string[] {
  const width = Math.max(0, ...rows.map((r) => r.service.length));
  return rows.map((r) => `  ${MARK[r.phase]} ${r.service.padEnd(width)}  ${r.detail}`);
}

/**
 * Live progress: on a terminal the block of lines is redrawn in place; elsewhere (CI logs, pipes)
 * a line is printed only when a service changes phase.
 */
export class ProgressBoard {
  readonly #write: (text: string) => void;
  readonly #tty: boolean;
  #drawn = 0;
  readonly #last = new Map<string, string>();

  constructor(write: (text: string) => void, tty: boolean) {
    this.#write = write;
    this.#tty = tty;
  }

  update(rows: readonly ServiceProgress[], footer: string): void {
    const lines = formatRows(rows);
    if (this.#tty) {
      const up = this.#drawn > 0 ? `\x1b[${this.#drawn}A` : "";
      const all = [...lines, `  ${footer}`];
      this.#write(`${up}${all.map((l) => `\x1b[2K${l}\n`).join("")}`);
      this.#drawn = all.length;
      return;
    }
    rows.forEach((r, i) => {
      const text = `${r.phase}:${r.detail}`;
      if (this.#last.get(r.service) !== text) {
        this.#last.set(r.service, text);
        this.#write(`${lines[i]}\n`);
      }
    });
  }
}
