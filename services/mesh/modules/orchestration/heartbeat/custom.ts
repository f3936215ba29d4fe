import type { HeartbeatReport } from "../../../../common/contracts/mesh-api.js";
import type { ProbeResult } from "./policy.js";

export interface CustomProbeInputs {
  /**
   * When the previous tick started (or one interval ago): "changed" means changed at or after it, so
   * a change racing the previous tick's probes is reported (at worst twice), never lost.
   */
  since: number;
  /** The live blackboard entry of `key` (undefined: absent or deleted). */
  board: (key: string) => { updated_at: number; updated_by: string } | undefined;
  /** Why a blackboard key is invalid, or undefined (services/mesh/core/keys.ts). */
  keyProblem: (key: string) => string | undefined;
  inboxDepth: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * The agent's HEARTBEAT.md probes (as its `/healthz` reported them) → probe results (pure). Each
 * declaration is one `custom` result: value 1 when it found something, 0 when not; an error when it
 * could not be evaluated. Problems in the declaration block are one error result, so a broken
 * HEARTBEAT.md reaches the owner through the failing-probe alert, without waking the LLM.
 */
export function customProbeResults(report: HeartbeatReport | null, inputs: CustomProbeInputs): ProbeResult[] {
  if (!report) return [];
  const out: ProbeResult[] = [];
  const found = (hit: boolean, detail: string): ProbeResult => ({
    probe: "custom",
    ok: true,
    value: hit ? 1 : 0,
    detail,
  });
  for (const p of report.probes) {
    if (p.kind === "file_changed") {
      if (p.error) out.push({ probe: "custom", ok: false, error: `file_changed ${p.path}: ${p.error}` });
      else if (p.mtime_ms === null) out.push(found(false, `${p.path} does not exist`));
      else
        out.push(
          found(
            p.mtime_ms >= inputs.since,
            p.mtime_ms >= inputs.since
              ? `${p.path} changed at ${iso(p.mtime_ms)}`
              : `${p.path} unchanged since ${iso(inputs.since)}`,
          ),
        );
    } else if (p.kind === "dir_not_empty") {
      if (p.error) out.push({ probe: "custom", ok: false, error: `dir_not_empty ${p.path}: ${p.error}` });
      else if (p.entries === null) out.push(found(false, `${p.path}/ does not exist`));
      else out.push(found(p.entries > 0, `${p.entries >= 1000 ? "1000+" : p.entries} entries in ${p.path}/`));
    } else if (p.kind === "blackboard_key") {
      const problem = inputs.keyProblem(p.key);
      if (problem) {
        out.push({ probe: "custom", ok: false, error: `blackboard_key ${p.key}: ${problem}` });
        continue;
      }
      const entry = inputs.board(p.key);
      if (!entry) out.push(found(false, `${p.key} is not set`));
      else
        out.push(
          found(
            entry.updated_at >= inputs.since,
            entry.updated_at >= inputs.since
              ? `${p.key} updated by ${entry.updated_by} at ${iso(entry.updated_at)}`
              : `${p.key} unchanged since ${iso(inputs.since)}`,
          ),
        );
    } else {
      out.push(
        found(
          inputs.inboxDepth >= p.n,
          `${inputs.inboxDepth} undelivered messages (HEARTBEAT.md threshold ${p.n})`,
        ),
      );
    }
  }
  if (report.errors.length > 0)
    out.push({
      probe: "custom",
      ok: false,
      error: `HEARTBEAT.md: ${report.errors.slice(0, 3).join("; ").slice(0, 300)}`,
    });
  return out;
}
