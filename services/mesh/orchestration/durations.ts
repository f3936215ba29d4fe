/** Durations as in the config schemas: `500ms`, `30s`, `15m`, `2h`, `1d`; plain integers are seconds. */
export const DURATION_PATTERN = /^(\d+)(ms|s|m|h|d)$/;
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Milliseconds of a duration string, or of a number of seconds (the seed's `timeout: 600`). */
export function toMs(value: string | number): number {
  if (typeof value === "number") return value * 1000;
  const match = DURATION_PATTERN.exec(value);
  if (!match) throw new Error(`invalid duration ${JSON.stringify(value)}`);
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}
