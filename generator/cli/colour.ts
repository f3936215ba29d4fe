import { styleText } from "node:util";
import type { CliIo } from "./io.js";

export type Tone = "ok" | "bad" | "busy" | "dim" | "bold";
const STYLE = { ok: "green", bad: "red", busy: "yellow", dim: "dim", bold: "bold" } as const;

/**
 * Colour only for a person at a terminal: not when piped, not with `--no-color`, not when NO_COLOR is
 * set to anything non-empty (no-color.org), not on TERM=dumb.
 */
export function colourOn(io: CliIo): boolean {
  return io.isTTY && !io.noColor && !io.env.NO_COLOR && io.env.TERM !== "dumb";
}

/** `paint(tone, text)`: the text styled when colour is on, unchanged otherwise. */
export function painter(io: CliIo): (tone: Tone, text: string) => string {
  if (!colourOn(io)) return (_tone, text) => text;
  return (tone, text) => styleText(STYLE[tone], text, { validateStream: false });
}

/** The tone of a run, step or service state, by its name (running and waiting ones are busy). */
export function toneOf(state: string): Tone {
  if (/^(succeeded|healthy|ok|approved)$/.test(state)) return "ok";
  if (/^(failed|timed_out|cancelled|rejected|unhealthy|exited|dead|stale|missing)$/.test(state)) return "bad";
  if (/^(omitted|skipped|pending|external)$/.test(state)) return "dim";
  return "busy";
}
