import { describe, expect, it } from "vitest";
import { formatSchedules, updateBody } from "../../../generator/cli/commands/schedule.js";
import { scheduleLine, scheduleSummary } from "../../../generator/cli/commands/status.js";
import type { ScheduleView } from "../../../services/common/contracts/mesh-api.js";
import { isNothingToReport } from "../../../services/mesh/modules/orchestration/schedule/ack.js";

const view = (over: Partial<ScheduleView>): ScheduleView => ({
  id: "agent:bob:daily",
  agent: "bob",
  workflow: null,
  spec: "0 9 * * *",
  timezone: "UTC",
  next_run_at: Date.UTC(2026, 0, 2, 9),
  last_fired_at: null,
  fires: 3,
  missed_total: 0,
  source: "agent",
  paused: false,
  tool: null,
  errors: 0,
  last_error: null,
  last_outcome: null,
  ...over,
});

describe("issue 22: schedule replies and views", () => {
  it("HEARTBEAT_OK and the seed's empty answers are nothing to report; real news is not", () => {
    for (const r of [
      "",
      "  ok ",
      "HEARTBEAT_OK",
      "**HEARTBEAT_OK**",
      "heartbeat_ok.",
      "Nothing to do",
      "No updates!",
    ])
      expect(isNothingToReport(r), JSON.stringify(r)).toBe(true);
    expect(isNothingToReport(`HEARTBEAT_OK ${"x".repeat(120)}`)).toBe(true);
    expect(isNothingToReport(`HEARTBEAT_OK ${"x".repeat(400)}`)).toBe(false);
    expect(isNothingToReport("The disk is 95% full: I deleted the old logs.")).toBe(false);
  });

  it("schedule list shows state, errors and what each schedule does; status sums the errors", () => {
    const rows = [
      view({}),
      view({
        id: "agent:bob:stamp",
        paused: true,
        tool: { name: "write_shared_state", params: { key: "k" } },
        errors: 2,
      }),
    ];
    const table = formatSchedules(rows);
    expect(table).toMatch(
      /agent:bob:daily\s+bob\s+0 9 \* \* \*\s+active\s+2026-01-02 09:00\s+3\s+0\s+-\s+message/,
    );
    expect(table).toMatch(
      /agent:bob:stamp\s+.*paused\s+-\s+3\s+2\s+-\s+tool write_shared_state \{"key":"k"\}/,
    );
    expect(scheduleLine(scheduleSummary(rows))).toBe(
      "schedules: 2 (1 paused); errors: agent:bob:stamp 2 (openlegion schedule list)",
    );
  });

  it("schedule update turns flags into the body and refuses --params without --tool", () => {
    const base = { dir: ".", json: false };
    expect(updateBody({ ...base, tool: "t", params: '{"a":1}' })).toEqual({
      tool: { name: "t", params: { a: 1 } },
    });
    expect(updateBody({ ...base, params: "{}" })).toBe("--params needs --tool");
    expect(updateBody({ ...base, tool: "t", params: "{nope" })).toBe("--params must be a JSON object");
    expect(updateBody(base)).toMatch(/^nothing to change/);
  });
});
