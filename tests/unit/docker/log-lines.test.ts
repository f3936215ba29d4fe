import { describe, expect, it } from "vitest";
import { sinceTime } from "../../../generator/cli/commands/logs.js";
import { prettyLogLines, sinceFilter } from "../../../generator/docker/log-lines.js";

/** Issue 16 item 6: `openlegion logs` readable on a terminal, `--since 10m`, `--timestamps`. */
describe("logs lines", () => {
  it("turns a pino JSON line into one readable line and leaves other lines alone", () => {
    const pretty = prettyLogLines(false);
    const line =
      'mesh_1  | {"level":30,"time":1765162800000,"service":"mesh","msg":"config reloaded","agents":2}';
    const out = pretty(line);
    expect(out.startsWith("mesh_1  | ")).toBe(true);
    expect(out).toContain("INFO");
    expect(out).toContain("config reloaded");
    expect(out).not.toContain('"level"');
    expect(pretty("Attaching to x_mesh_1")).toBe("Attaching to x_mesh_1");
    expect(pretty("mesh_1  | {not json")).toBe("mesh_1  | {not json");
  });

  it("keeps lines newer than --since, with or without their timestamp", () => {
    const since = Date.parse("2026-12-08T03:00:00Z");
    const old = "mesh_1  | 2026-12-08T02:59:59.999999999Z old line";
    const fresh = "mesh_1  | 2026-12-08T03:00:01.000000001Z new line";
    expect(sinceFilter(since, false)(old)).toBeUndefined();
    expect(sinceFilter(since, false)(fresh)).toBe("mesh_1  | new line");
    expect(sinceFilter(since, true)(fresh)).toBe(fresh);
    expect(sinceTime("10m", Date.parse("2026-12-08T03:10:00Z"))).toBe("2026-12-08T03:00:00Z");
  });
});
