/**
 * Probe-first heartbeats (research/mesh.md §3.3): cheap deterministic probes, then a pure policy
 * decides whether to wake the agent's LLM. A quiet tick costs nothing (no model call).
 */
export type ProbeName = "disk" | "signals" | "tasks" | "inbox";

/** `custom`: a probe the agent declared in its HEARTBEAT.md (value 1 = found something). */
export type ProbeResultName = ProbeName | "custom";

export type ProbeResult =
  | { probe: ProbeResultName; ok: true; value: number; detail: string }
  | { probe: ProbeResultName; ok: false; error: string };

export interface HeartbeatThresholds {
  /** Disk use of /data (0..1) at or above which the agent is woken. */
  disk_fraction: number;
  /** Inbox depth at or above which the agent is woken. */
  inbox_depth: number;
  /** Consecutive probe failures before the owner is alerted directly (no LLM). */
  probe_error_alert_after: number;
}

export const DEFAULT_THRESHOLDS: HeartbeatThresholds = {
  disk_fraction: 0.9,
  inbox_depth: 50,
  probe_error_alert_after: 3,
};

export type Decision =
  | { kind: "quiet"; reason: string }
  | { kind: "wake"; reason: string; findings: string[] }
  | { kind: "alert_owner"; reason: string }
  | { kind: "skipped_busy"; reason: string };

export function decide(args: {
  results: readonly ProbeResult[];
  thresholds?: HeartbeatThresholds;
  /** Consecutive ticks with a probe error before this one. */
  priorErrorTicks: number;
  /** The previous wake is still being handled (its message not yet delivered). */
  busy: boolean;
}): Decision {
  const t = args.thresholds ?? DEFAULT_THRESHOLDS;
  if (args.busy) return { kind: "skipped_busy", reason: "the previous wake is still pending" };
  const errors = args.results.filter((r): r is Extract<ProbeResult, { ok: false }> => !r.ok);
  const findings: string[] = [];
  for (const r of args.results) {
    if (!r.ok) continue;
    if (r.probe === "disk" && r.value >= t.disk_fraction) findings.push(`disk: ${r.detail}`);
    if (r.probe === "signals" && r.value > 0) findings.push(`signals: ${r.detail}`);
    if (r.probe === "tasks" && r.value > 0) findings.push(`tasks: ${r.detail}`);
    if (r.probe === "inbox" && r.value >= t.inbox_depth) findings.push(`inbox: ${r.detail}`);
    if (r.probe === "custom" && r.value > 0) findings.push(`HEARTBEAT.md: ${r.detail}`);
  }
  if (findings.length > 0)
    return { kind: "wake", reason: `${findings.length} probe(s) found work`, findings };
  if (errors.length > 0 && args.priorErrorTicks + 1 >= t.probe_error_alert_after)
    return {
      kind: "alert_owner",
      reason: `probe(s) failing ${args.priorErrorTicks + 1} ticks in a row: ${errors.map((e) => `${e.probe} (${e.error})`).join(", ")}`,
    };
  if (errors.length > 0)
    return { kind: "quiet", reason: `probe error: ${errors.map((e) => e.probe).join(", ")}` };
  return { kind: "quiet", reason: "nothing found" };
}

/** The bounded prompt an escalation sends: names what the probes found, nothing else. */
export function wakePrompt(agent: string, findings: readonly string[]): string {
  const lines = findings.slice(0, 10).map((f) => `- ${f.slice(0, 300)}`);
  return [
    `Heartbeat for ${agent}: cheap probes found something that needs you.`,
    ...lines,
    "Handle it, or reply HEARTBEAT_OK if nothing needs doing.",
  ].join("\n");
}
