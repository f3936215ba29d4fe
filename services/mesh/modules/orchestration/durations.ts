import { durationMs } from "../../../common/contracts/fleet/primitives.js";

/**
 * Milliseconds of a duration as in the config schemas (`500ms`, `30s`, `15m`, `2h`, `1d`), or of a
 * number of seconds (the seed's `timeout: 600`).
 */
export function toMs(value: string | number): number {
  return typeof value === "number" ? value * 1000 : durationMs(value);
}
