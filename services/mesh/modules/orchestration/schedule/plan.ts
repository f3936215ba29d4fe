import { nextSlot, type ScheduleSpec } from "./spec.js";

/**
 * What to do with a schedule whose stored `next_run_at` is due (pure). Slots within `graceMs` of now
 * are on time and fire; older slots were missed while the mesh was down and follow the catch-up
 * policy: `skip` (none), `once` (the latest only), `all` (the most recent `maxCatchup`, in order).
 */
export type CatchUp = "skip" | "once" | "all";

export interface FirePlan {
  fire: number[];
  missed: number;
  skipped: number[];
  next: number | undefined;
}

export const MAX_ENUMERATED_SLOTS = 10_000;

export function planDue(args: {
  spec: ScheduleSpec;
  nextRunAt: number;
  now: number;
  offset: number;
  catchUp: CatchUp;
  graceMs: number;
  maxCatchup?: number;
}): FirePlan {
  const { spec, now, offset, graceMs } = args;
  const maxCatchup = args.maxCatchup ?? 10;
  const due: number[] = [];
  let slot: number | undefined = args.nextRunAt;
  let dropped = 0;
  while (slot !== undefined && slot <= now) {
    due.push(slot);
    if (due.length > MAX_ENUMERATED_SLOTS) {
      due.shift();
      dropped++;
    }
    slot = nextSlot(spec, slot, offset);
  }
  const onTime = due.filter((s) => now - s <= graceMs);
  let fire: number[];
  if (args.catchUp === "once") fire = due.slice(-1);
  else if (args.catchUp === "all") fire = due.slice(-maxCatchup);
  else fire = onTime.slice(-1);
  const skipped = due.filter((s) => !fire.includes(s));
  return { fire, missed: skipped.length + dropped, skipped, next: slot };
}

/** `run_once` (the name) and `once` (mesh.yaml's) are the same policy. */
export function normalizeCatchUp(value: string | undefined, fallback: CatchUp): CatchUp {
  if (value === "run_once") return "once";
  if (value === "skip" || value === "once" || value === "all") return value;
  return fallback;
}
