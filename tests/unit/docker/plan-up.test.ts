import { describe, expect, it } from "vitest";
import { planUp } from "../../../generator/docker/lifecycle.js";
import type { ContainerInfo } from "../../../generator/docker/parse.js";
import { summarize } from "../../../generator/docker/rendered.js";

const svc = (hash: string, agent?: string) => ({
  image: "openlegion/agent:0.1.0",
  labels: { "io.openlegion.config-hash": hash, ...(agent ? { "io.openlegion.agent": agent } : {}) },
});
const FLEET = summarize({
  services: {
    "agent-a": svc("a1", "a"),
    "agent-b": svc("b1", "b"),
    "egress-proxy": svc("p2"),
    mesh: svc("m1"),
  },
});
const running = (service: string, hash: string): ContainerInfo => ({
  id: service,
  name: service,
  service,
  project: "p",
  state: "running",
  health: "healthy",
  startedAt: undefined,
  exitCode: 0,
  restartCount: 0,
  image: "",
  labels: { "io.openlegion.config-hash": hash },
  oneOff: false,
});

describe("planUp", () => {
  it("starts a stopped fleet with one plain `up`", () => {
    expect(planUp(FLEET, []).steps).toEqual([[]]);
  });

  it("recreates only the proxy when only its config changed (no dependents)", () => {
    const plan = planUp(FLEET, [
      running("agent-a", "a1"),
      running("agent-b", "b1"),
      running("egress-proxy", "p1"),
      running("mesh", "m1"),
    ]);
    expect(plan).toEqual({ changed: ["egress-proxy"], steps: [["egress-proxy"]] });
  });

  it("hot-adds an agent after the infrastructure it needs, leaving the other agents alone", () => {
    const plan = planUp(FLEET, [
      running("agent-a", "a1"),
      running("egress-proxy", "p1"),
      running("mesh", "m0"),
    ]);
    expect(plan.steps).toEqual([["egress-proxy", "mesh"], ["agent-b"]]);
  });

  it("runs a plain `up` (removing orphans) when nothing changed", () => {
    const all = [
      running("agent-a", "a1"),
      running("agent-b", "b1"),
      running("egress-proxy", "p2"),
      running("mesh", "m1"),
    ];
    expect(planUp(FLEET, all)).toEqual({ changed: [], steps: [[]] });
  });
});
