import { prettyFactory } from "pino-pretty";

/**
 * `openlegion logs` on a terminal: each `service | {json}` line Compose prints becomes one readable
 * line (pino-pretty, as OPENLEGION_LOG_FORMAT=text writes them); anything that is not a pino record
 * passes through unchanged. `--json` skips this.
 */
export function prettyLogLines(colour: boolean): (line: string) => string {
  const format = prettyFactory({
    colorize: colour,
    singleLine: true,
    translateTime: "SYS:yyyy-mm-dd HH:MM:ss.l",
    ignore: "pid,hostname,service",
  });
  return (line) => {
    const bar = line.indexOf("| {");
    const prefix = bar < 0 ? "" : line.slice(0, bar + 2);
    const body = bar < 0 ? line : line.slice(bar + 2);
    const brace = body.indexOf("{");
    if (brace < 0) return line;
    try {
      const record: unknown = JSON.parse(body.slice(brace));
      if (typeof record !== "object" || record === null || !("level" in record)) return line;
      return `${prefix}${body.slice(0, brace)}${format(record).trimEnd()}`;
    } catch {
      return line;
    }
  };
}

const STAMPED = /^(.*?\| )?(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z) (.*)$/;

/**
 * `logs --since`: Compose v1 has no --since, so lines are asked for with --timestamps and filtered
 * here (the same for v2). Returns the line (its timestamp kept only when `keep`), or undefined.
 */
export function sinceFilter(sinceMs: number, keep: boolean): (line: string) => string | undefined {
  return (line) => {
    const m = STAMPED.exec(line);
    if (!m) return undefined;
    if (Date.parse(m[2] ?? "") < sinceMs) return undefined;
    return keep ? line : `${m[1] ?? ""}${m[3]}`;
  };
}
