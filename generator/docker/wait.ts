import { FleetErrors } from "./errors.js";
import type { DockerHost } from "./host.js";
import { type Assessment, assess, ProgressBoard } from "./progress.js";

export interface WaitOptions {
  project: string;
  /** Compose service names that must become healthy. */
  services: readonly string[];
  timeoutMs: number;
  write: (text: string) => void;
  tty: boolean;
  pollMs?: number;
  signal?: AbortSignal;
  /** Stop early when this settles (e.g. `compose up` failed): its rejection propagates. */
  alongside?: Promise<unknown>;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(t);
      resolve();
    });
  });

/**
 * Polls the project's containers until every service is healthy, showing one live line per service.
 * Fails fast (with the last log lines of the culprits) on an unhealthy, exited or crash-looping
 * service, and after `timeoutMs` with the services still not ready.
 */
export async function waitHealthy(host: DockerHost, opts: WaitOptions): Promise<Assessment> {
  const board = new ProgressBoard(opts.write, opts.tty);
  const started = Date.now();
  const pollMs = opts.pollMs ?? 1000;
  let failedAlongside: unknown;
  let alongsideDone = false;
  opts.alongside?.then(
    () => {
      alongsideDone = true;
    },
    (e: unknown) => {
      alongsideDone = true;
      failedAlongside = e ?? new Error("failed");
    },
  );
  for (;;) {
    const settled = opts.alongside === undefined || alongsideDone;
    const state = assess(opts.services, await host.containers(opts.project), settled);
    const elapsed = Math.round((Date.now() - started) / 1000);
    const healthy = state.rows.filter((r) => r.phase === "healthy" || r.phase === "running").length;
    board.update(state.rows, `${healthy}/${state.rows.length} ready after ${elapsed}s`);
    if (failedAlongside !== undefined) throw failedAlongside;
    if (state.ready && settled) return state;
    if (state.failed.length > 0) {
      const logs = await Promise.all(state.failed.map((s) => lastLogs(host, opts.project, s)));
      throw FleetErrors.unhealthy(
        `${state.failed.join(", ")} did not become healthy:\n${logs.join("\n")}\n  see: openlegion logs <service>; fix the cause, then run openlegion up again`,
      );
    }
    if (Date.now() - started > opts.timeoutMs) {
      const waiting = state.rows.filter((r) => r.phase !== "healthy" && r.phase !== "running");
      throw FleetErrors.timeout(
        `timed out after ${Math.round(opts.timeoutMs / 1000)}s waiting for ${waiting.map((r) => `${r.service} (${r.detail})`).join(", ")}; the fleet keeps starting in the background: check openlegion status`,
      );
    }
    if (opts.signal?.aborted) throw FleetErrors.timeout("cancelled while waiting for the fleet");
    await sleep(pollMs, opts.signal);
  }
}

async function lastLogs(host: DockerHost, project: string, service: string): Promise<string> {
  const c = (await host.containers(project)).find((x) => x.service === service);
  if (!c) return `  ${service}: no container`;
  const text = await host.logsTail(c.id, 12);
  const body = text
    ? text
        .split("\n")
        .map((l) => `    ${l}`)
        .join("\n")
    : "    (no output)";
  return `  ${service} (${c.name}) last log lines:\n${body}`;
}
