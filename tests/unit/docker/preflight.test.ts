import { describe, expect, it } from "vitest";
import { placeProblems } from "../../../generator/docker/preflight.js";

/** Issue 16 item 3: up and doctor refuse a taken port or pool before creating anything, naming the fix. */
describe("placeProblems", () => {
  const base = {
    fleetSubnets: ["10.231.0.0/28", "10.231.0.48/28"],
    project: "mine",
    mesh: { host: "127.0.0.1", port: 8420, busy: false },
  };
  it("finds nothing on a free host, and ignores the fleet's own networks", () => {
    expect(placeProblems({ ...base, networks: [] })).toEqual([]);
    expect(
      placeProblems({
        ...base,
        networks: [{ name: "mine_control", project: "mine", subnets: ["10.231.0.0/28"] }],
      }),
    ).toEqual([]);
  });
  it("names the overlapping network and a free pool, and a busy port with the field to change", () => {
    const problems = placeProblems({
      ...base,
      mesh: { ...base.mesh, busy: true },
      networks: [{ name: "other_control", project: "other", subnets: ["10.231.0.0/28"] }],
      freePool: "10.232.0.0/16",
    });
    expect(problems.map((p) => p.what)).toEqual(["pool", "port"]);
    expect(problems[0]?.message).toContain("other_control (project other)");
    expect(problems[0]?.message).toContain(
      'egress.subnet_pool in config/mesh.yaml to a free pool (e.g. "10.232.0.0/16")',
    );
    expect(problems[1]?.message).toContain("127.0.0.1:8420 is already in use");
    expect(problems[1]?.message).toContain("set mesh.port in config/mesh.yaml");
  });
});
