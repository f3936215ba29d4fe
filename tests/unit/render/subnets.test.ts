import { describe, expect, it } from "vitest";
import { allocateSubnets, parsePool } from "../../../generator/render/index.js";

const pool = parsePool("10.231.0.0/16");

describe("subnet allocation", () => {
  it("gives each id a stable /28 inside the pool, never the control slot", () => {
    const a = allocateSubnets(pool, ["alpha", "beta", "gamma"]);
    const b = allocateSubnets(pool, ["gamma", "alpha", "beta", "delta"]);
    for (const id of ["alpha", "beta", "gamma"]) expect(b.get(id)).toBe(a.get(id));
    for (const s of b.values()) expect(s).toMatch(/^10\.231\.\d+\.(\d+)\/28$/);
    expect([...b.values()]).not.toContain("10.231.0.0/28");
  });

  it("probes linearly on collisions and stays unique when the pool is nearly full", () => {
    const small = parsePool("10.9.0.0/24"); // 16 slots, 15 for agents
    const ids = Array.from({ length: 15 }, (_, i) => `agent${i}`);
    const subnets = allocateSubnets(small, ids);
    expect(new Set(subnets.values()).size).toBe(15);
    expect(allocateSubnets(small, [...ids].reverse())).toEqual(subnets);
  });

  it("keeps the subnets of the file on disk so a resolved collision never moves", () => {
    const small = parsePool("10.9.0.0/24");
    const before = allocateSubnets(small, ["b"], { b: "10.9.0.48/28" });
    expect(before.get("b")).toBe("10.9.0.48/28");
    const after = allocateSubnets(small, ["a", "b", "c"], { b: "10.9.0.48/28" });
    expect(after.get("b")).toBe("10.9.0.48/28");
    expect(allocateSubnets(small, ["b"], { b: "192.168.0.0/28" }).get("b")).not.toBe("192.168.0.0/28");
  });
});

describe("subnetsOf (the previous allocation read back from disk)", () => {
  it("reads every agent network's subnet from a rendered file", async () => {
    const { compile, serialize, subnetsOf } = await import("../../../generator/render/index.js");
    const { makeFleet, threeAgents } = await import("../../fixtures/render/fleet.js");
    const model = compile(makeFleet(threeAgents()), { toolVersion: "0.1.0" });
    const expected = Object.fromEntries(
      Object.entries(model.compose.networks)
        .filter(([name]) => name.startsWith("agent-"))
        .map(([name, net]) => [name.slice(6), net.ipam!.config[0]!.subnet]),
    );
    expect(subnetsOf(serialize(model))).toEqual(expected);
    expect(subnetsOf("not: [yaml")).toEqual({});
  });
});
