import { describe, expect, it } from "vitest";
import type { ContainerInfo } from "../../../generator/docker/parse.js";
import { assess, formatRows, ProgressBoard } from "../../../generator/docker/progress.js";
import { resolveService, summarize } from "../../../generator/docker/rendered.js";
import { formatCosts, formatStatus, statusRows } from "../../../generator/docker/status.js";
import { formatTable, formatUptime, formatUsd } from "../../../generator/docker/table.js";
import type { CostsReport } from "../../../services/common/contracts/proxy-admin-routes.js";

const NOW = new Date("2026-03-04T12:00:00Z");

function container(service: string, over: Partial<ContainerInfo> = {}): ContainerInfo {
  return {
    id: `${service}-id`,
    name: `p_${service}_1`,
    service,
    project: "p",
    state: "running",
    health: "healthy",
    startedAt: new Date(NOW.getTime() - 125_000),
    exitCode: 0,
    restartCount: 0,
    image: "openlegion/agent:0.1.0",
    labels: { "io.openlegion.config-hash": `hash-${service}` },
    oneOff: false,
    ...over,
  };
}

const FLEET = summarize({
  services: {
    "agent-a": {
      image: "openlegion/agent:0.1.0",
      labels: { "io.openlegion.agent": "a", "io.openlegion.config-hash": "hash-agent-a" },
    },
    "egress-proxy": {
      image: "openlegion/egress-proxy:0.1.0",
      labels: { "io.openlegion.config-hash": "new-proxy-hash" },
    },
    mesh: { image: "openlegion/mesh:0.1.0", labels: { "io.openlegion.config-hash": "hash-mesh" } },
  },
});

describe("assess (waiting for healthy)", () => {
  it("is ready only when every expected service is healthy", () => {
    const partial = assess(
      ["mesh", "agent-a"],
      [container("mesh"), container("agent-a", { health: "starting" })],
    );
    expect(partial.ready).toBe(false);
    expect(partial.rows.map((r) => r.phase)).toEqual(["healthy", "starting"]);
    expect(assess(["mesh"], [container("mesh")]).ready).toBe(true);
  });

  it("marks missing, unhealthy, exited and crash-looping services", () => {
    const state = assess(
      ["mesh", "agent-a", "agent-b", "egress-proxy"],
      [
        container("mesh", { health: "unhealthy" }),
        container("agent-a", { state: "exited", exitCode: 2 }),
        container("agent-b", { state: "restarting", restartCount: 3, exitCode: 1 }),
      ],
    );
    expect(state.rows.map((r) => r.phase)).toEqual(["unhealthy", "exited", "restarting", "pending"]);
    expect(state.failed).toEqual(["mesh", "agent-a", "agent-b"]);
    expect(formatRows(state.rows)).toEqual([
      "  ✗ mesh          unhealthy",
      "  ✗ agent-a       exited with code 2",
      "  ! agent-b       restarting (last exit 1, 3 restarts)",
      "  · egress-proxy  not created yet",
    ]);
  });

  it("prints only changes without a terminal, and redraws in place on one", () => {
    const out: string[] = [];
    const board = new ProgressBoard((t) => out.push(t), false);
    const rows = assess(["mesh"], [container("mesh", { health: "starting" })]).rows;
    board.update(rows, "0/1");
    board.update(rows, "0/1");
    expect(out).toEqual(["  … mesh  health: starting\n"]);
    const tty: string[] = [];
    const live = new ProgressBoard((t) => tty.push(t), true);
    live.update(rows, "0/1 ready");
    live.update(rows, "0/1 ready");
    expect(tty[1]?.startsWith("\x1b[2A")).toBe(true);
  });
});

describe("status table", () => {
  const costs: CostsReport = {
    day: "2026-03-04",
    month: "2026-03",
    agents: {
      a: {
        today_usd: 0.0123,
        month_usd: 1.5,
        reserved_usd: 0,
        budget: { daily_usd: 10, monthly_usd: 200 },
        frozen: false,
      },
    },
    by_model: [
      {
        agent: "a",
        model: "openai/gpt-4o-mini",
        day: "2026-03-04",
        calls: 3,
        cost_usd: 0.0123,
        input_tokens: 10,
        output_tokens: 5,
      },
      {
        agent: "a",
        model: "openai/gpt-4o-mini",
        day: "2026-03-01",
        calls: 7,
        cost_usd: 1.4877,
        input_tokens: 10,
        output_tokens: 5,
      },
    ],
  };
  const mesh = [
    {
      id: "a",
      role: "assistant",
      health: "up" as const,
      detail: "ok",
      checked_at: 0,
      pending: 4,
      dead: 0,
      last_push_error: null,
    },
  ];

  it("shows drift from the config-hash label, the queue and today's spend", () => {
    const rows = statusRows(
      FLEET,
      [container("agent-a"), container("egress-proxy"), container("mesh")],
      mesh,
      costs,
      NOW,
    );
    expect(rows.map((r) => [r.service, r.config, r.queue, r.today_usd])).toEqual([
      ["agent-a", "in-sync", 4, 0.0123],
      ["egress-proxy", "stale", null, null],
      ["mesh", "in-sync", null, null],
    ]);
    expect(formatStatus(rows, NOW)).toBe(
      [
        "SERVICE       STATE    HEALTH   UPTIME  CONFIG                     QUEUE  TODAY",
        "agent-a       running  healthy  2m 5s   in sync                    4      $0.0123 / $10.00",
        "egress-proxy  running  healthy  2m 5s   STALE (run openlegion up)  -      -",
        "mesh          running  healthy  2m 5s   in sync                    -      -",
        "",
      ].join("\n"),
    );
  });

  it("lists rendered services that are not running, and containers no longer rendered", () => {
    const rows = statusRows(FLEET, [container("agent-old")], undefined, undefined, NOW);
    expect(rows.map((r) => [r.service, r.state, r.config])).toEqual([
      ["agent-a", "absent", "not-running"],
      ["egress-proxy", "absent", "not-running"],
      ["mesh", "absent", "not-running"],
      ["agent-old", "running", "stale"],
    ]);
  });

  it("shows a docker-compose.override.yml service (no OpenLegion labels) as external, not stale", () => {
    const grafana = container("grafana", { image: "grafana/grafana:11", labels: {} });
    const rows = statusRows(FLEET, [container("mesh"), grafana], undefined, undefined, NOW);
    expect(rows.find((r) => r.service === "grafana")?.config).toBe("external");
    const text = formatStatus(rows, NOW);
    expect(text).toMatch(/^grafana\s+running\s+healthy\s+2m 5s\s+external \(not rendered by openlegion\)/m);
    expect(text).not.toMatch(/^grafana.*STALE/m);
  });

  it("formats costs by agent and by model, today and this month", () => {
    const text = formatCosts(costs);
    expect(text).toContain("a      $0.0123  $10.00        $1.50  $200.00");
    expect(text).toContain("a      openai/gpt-4o-mini  10             $0.0123  $1.50");
    expect(text).toContain("total today: $0.0123 (2026-03-04)");
  });
});

describe("small formatters", () => {
  it.each([
    [undefined, "-"],
    [5_000, "5s"],
    [65_000, "1m 5s"],
    [3_720_000, "1h 2m"],
    [90_000_000, "1d 1h"],
  ])("formatUptime(%j ms ago)", (ago, want) => {
    expect(formatUptime(ago === undefined ? undefined : new Date(NOW.getTime() - ago), NOW)).toBe(want);
  });

  it("formats money and tables", () => {
    expect(formatUsd(0.5)).toBe("$0.5000");
    expect(formatUsd(12.345)).toBe("$12.35");
    expect(formatTable(["A", "LONG"], [["xyz", "1"]])).toBe("A    LONG\nxyz  1\n");
  });

  it("resolves agent ids and service names, and rejects the rest with the known list", () => {
    expect(resolveService(FLEET, "a")).toBe("agent-a");
    expect(resolveService(FLEET, "mesh")).toBe("mesh");
    expect(() => resolveService(FLEET, "nope")).toThrow(/known: a, egress-proxy, mesh/);
  });
});
