import { BLACKBOARD_INPUT_PREFIX } from "../../../../common/contracts/fleet/workflows.js";
import type { Json } from "../cel.js";

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]{0,63})\}/g;

/** True for the seed's `input_from: blackboard://context/prospect_{lead_id}`. */
export const isBlackboardInput = (source: string): boolean => source.startsWith(BLACKBOARD_INPUT_PREFIX);

/**
 * The blackboard key of a `blackboard://` input with its `{name}` placeholders filled from the
 * trigger payload (then the run's inputs, so a manual run can fill them too). Only strings, numbers
 * and booleans fill a placeholder; null when one is missing (the input is then `{}`, as in the seed).
 */
export function blackboardInputKey(
  source: string,
  payload: Json,
  inputs: Record<string, Json>,
): string | null {
  const fromPayload =
    payload !== null && typeof payload === "object" && !Array.isArray(payload) ? payload : {};
  let missing = false;
  const key = source.slice(BLACKBOARD_INPUT_PREFIX.length).replace(PLACEHOLDER, (_m, name: string) => {
    const v = Object.hasOwn(fromPayload, name) ? fromPayload[name] : inputs[name];
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return String(v);
    missing = true;
    return "";
  });
  return missing ? null : key;
}
