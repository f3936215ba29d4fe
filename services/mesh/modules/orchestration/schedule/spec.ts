import { createHash } from "node:crypto";
import { Cron } from "croner";
import { OrchErrors } from "../errors.js";

/**
 * Schedule specs: 5-field cron with an IANA time zone (croner 11, Vixie-style DST), `every 30m`
 * (fixed rate aligned to the Unix epoch, no time zone, ≥ 1 minute) and one-shot `at <ISO time>`.
 */
export type ScheduleSpec =
  | { kind: "cron"; expr: string; tz: string }
  | { kind: "every"; ms: number }
  | { kind: "at"; at: number };

const EVERY = /^every (\d+)(m|h|d)$/;
const UNIT = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
export const MIN_EVERY_MS = 60_000;

function validTz(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export function parseSpec(text: string, tz = "UTC"): ScheduleSpec {
  const spec = text.trim();
  const every = EVERY.exec(spec);
  if (every) {
    const ms = Number(every[1]) * UNIT[every[2] as keyof typeof UNIT];
    if (ms < MIN_EVERY_MS) throw OrchErrors.badSchedule(spec, "the shortest interval is 1 minute");
    if (tz !== "UTC") throw OrchErrors.badSchedule(spec, "a time zone applies to cron only, not to every");
    return { kind: "every", ms };
  }
  if (spec.startsWith("every "))
    throw OrchErrors.badSchedule(spec, 'intervals look like "every 30m", "every 2h" or "every 1d"');
  if (spec.startsWith("at ")) {
    const at = Date.parse(spec.slice(3));
    if (!Number.isFinite(at) || !/(Z|[+-]\d\d:\d\d)$/.test(spec))
      throw OrchErrors.badSchedule(
        spec,
        'one-shot times look like "at 2026-03-01T09:00:00Z" (with Z or an offset)',
      );
    return { kind: "at", at };
  }
  if (!validTz(tz)) throw OrchErrors.badSchedule(spec, `unknown time zone "${tz}"`);
  try {
    new Cron(spec, { paused: true, mode: "5-part", timezone: tz });
  } catch (error) {
    throw OrchErrors.badSchedule(
      spec,
      error instanceof Error ? error.message.replace(/^CronPattern: /, "") : "invalid cron",
    );
  }
  return { kind: "cron", expr: spec, tz };
}

/** Deterministic per-schedule offset in [0, jitter): stable across restarts (research/mesh.md §3.2). */
export function jitterOffset(id: string, jitterMs: number): number {
  if (jitterMs <= 0) return 0;
  const h = createHash("sha256").update(id).digest();
  return h.readUInt32BE(0) % jitterMs;
}

const crons = new Map<string, Cron>();
function cronOf(expr: string, tz: string): Cron {
  const key = `${tz}\u0000${expr}`;
  let c = crons.get(key);
  if (!c) {
    if (crons.size > 4096) crons.clear();
    c = new Cron(expr, { paused: true, mode: "5-part", timezone: tz });
    crons.set(key, c);
  }
  return c;
}

/** The first slot strictly after `after` (ms), including the jitter offset; undefined when none is left. */
export function nextSlot(spec: ScheduleSpec, after: number, offset = 0): number | undefined {
  switch (spec.kind) {
    case "every": {
      const base = Math.floor((after - offset) / spec.ms) * spec.ms + offset;
      return base + spec.ms > after ? base + spec.ms : base + 2 * spec.ms;
    }
    case "at":
      return spec.at > after ? spec.at : undefined;
    case "cron": {
      const next = cronOf(spec.expr, spec.tz).nextRun(new Date(after - offset));
      return next ? next.getTime() + offset : undefined;
    }
  }
}

/** Warnings that are not errors: DOM+DOW OR semantics (a classic cron trap). */
export function specWarnings(spec: ScheduleSpec): string[] {
  if (spec.kind !== "cron") return [];
  const [, , dom, , dow] = spec.expr.split(/\s+/);
  return dom !== "*" && dow !== "*" && dom !== "?" && dow !== "?"
    ? ["day-of-month and day-of-week are both set: cron runs when EITHER matches"]
    : [];
}
