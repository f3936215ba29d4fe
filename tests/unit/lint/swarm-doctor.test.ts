import { describe, expect, it } from "vitest";
import {
  overlayEncryptionSafe,
  type SwarmNodeFacts,
  swarmDoctorFindings,
} from "../../../generator/lint/swarm-doctor.js";

const node = (
  hostname: string,
  role: string | undefined,
  version = "20.10.24+dfsg1",
  state = "ready",
): SwarmNodeFacts => ({
  Description: { Hostname: hostname, Engine: { EngineVersion: version } },
  Spec: { Labels: role ? { "openlegion.role": role } : {}, Availability: "active" },
  Status: { State: state },
});
const statusOf = (findings: ReturnType<typeof swarmDoctorFindings>, check: string) =>
  findings.find((f) => f.check === check)?.status;

describe("doctor --target swarm", () => {
  it("passes a labelled three-node swarm on fixed engines whose agents have no route out", () => {
    const f = swarmDoctorFindings({
      swarmState: "active true",
      nodes: [node("m", "core"), node("w1", "agents"), node("w2", "agents", "27.3.1")],
      agentsWithRouteOut: [],
    });
    expect(f.filter((x) => x.status !== "ok")).toEqual([]);
  });

  it("fails when the engine is not a manager, before looking at nodes", () => {
    const f = swarmDoctorFindings({ swarmState: "inactive false", nodes: [], agentsWithRouteOut: undefined });
    expect(f.map((x) => [x.check, x.status])).toEqual([["swarm", "error"]]);
  });

  it("names missing labels, a second core node, old engines and agents with a gateway route", () => {
    const f = swarmDoctorFindings({
      swarmState: "active true",
      nodes: [node("m", "core", "20.10.23"), node("m2", "core"), node("w", undefined)],
      agentsWithRouteOut: ["agent-a"],
    });
    expect(statusOf(f, "core node")).toBe("warning");
    expect(statusOf(f, "agent nodes")).toBe("error");
    expect(statusOf(f, "overlay encryption")).toBe("error");
    expect(f.find((x) => x.check === "overlay encryption")?.message).toContain("m (20.10.23)");
    expect(statusOf(f, "agent routes")).toBe("error");
  });

  it("does not count a down node as the core node", () => {
    const f = swarmDoctorFindings({
      swarmState: "active true",
      nodes: [node("m", "core", "24.0.7", "down"), node("w", "agents")],
      agentsWithRouteOut: undefined,
    });
    expect(statusOf(f, "core node")).toBe("error");
  });

  it.each([
    ["20.10.23", false],
    ["20.10.24+dfsg1", true],
    ["23.0.2", false],
    ["23.0.3", true],
    ["24.0.0", true],
    ["garbage", false],
  ])("engine %s has the encrypted-overlay fixes: %s", (version, safe) => {
    expect(overlayEncryptionSafe(version)).toBe(safe);
  });
});
