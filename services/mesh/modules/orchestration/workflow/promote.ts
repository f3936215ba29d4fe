import type { Json } from "../cel.js";

/** At most this many blackboard keys per step result (a result is capped at 256 KiB anyway). */
export const MAX_PROMOTIONS = 50;

export interface Promotion {
  key: string;
  value: Json;
}

const isObject = (v: Json | undefined): v is Record<string, Json> =>
  v !== null && v !== undefined && typeof v === "object" && !Array.isArray(v);

/**
 * The seed's task result `{"result": {...}, "promote": {...}}`: an object whose only keys are `result`
 * and an object-valued `promote` is split into the step's result and its promotions. Anything else is
 * the result as it is (no promotions). Non-object promoted values are wrapped `{"value": v}`, as the
 * seed's orchestrator did, so every promoted entry is an object.
 */
export function splitPromotion(result: Json): { result: Json; promote: Promotion[] } {
  if (!isObject(result) || !isObject(result.promote)) return { result, promote: [] };
  if (Object.keys(result).some((k) => k !== "result" && k !== "promote")) return { result, promote: [] };
  const promote = Object.entries(result.promote).map(([key, value]) => ({
    key,
    value: isObject(value) ? value : { value },
  }));
  return { result: result.result ?? null, promote };
}
