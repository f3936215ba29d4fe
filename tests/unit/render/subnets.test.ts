import { describe, expect, it } from "vitest";
import { allocateSubnets, parsePool } from "../../../generator/render/index.js";

const pool = parsePool("10.231.0.0/16");

describe("subnet allocation", () => {
  it("gives each id a stable /28 inside the pool, never the control, egress or ingress slot", () => {
    const a = allocateSubnets(pool, ["alpha", "beta", "gamma"]);
    const b = allocateSubnets(pool, ["gamma", "alpha", "beta", "delta"], Object.fromEntries(a));
    for (const id of ["alpha", "beta", "gamma"]) expect(b.get(id)).toBe(a.get(id));
    for (const s of b.values()) expect(s).toMatch(/^10\.231\.\d+\.(\d+)\/28$/);
    for (const reserved of ["10.231.0.0/28", "10.231.0.16/28", "10.231.0.32/28"])
      expect([...b.values()]).not.toContain(reserved);
    expect(b.get("delta")).toBe("10.231.0.96/28"); // the lowest free slot
  });

  it("fills slots densely and stays unique when the pool is full", () => {
    const small = parsePool("10.9.0.0/24"); // 16 slots, 13 for agents
    const ids = Array.from({ length: 13 }, (_, i) => `agent${i}`);
    const subnets = allocateSubnets(small, ids);
    expect(new Set(subnets.values()).size).toBe(13);
    expect(() => allocateSubnets(small, [...ids, "one-more"])).toThrow(/holds 13 agent networks/);
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
      Object.entries(model.compose.services)
        .filter(([name]) => name.startsWith("agent-"))
        .map(([name, s]) => [name.slice(6), model.compose.networks[s.networks[0]!]!.ipam!.config[0]!.subnet]),
    );
    expect(Object.keys(expected)).toHaveLength(3);
    expect(subnetsOf(serialize(model))).toEqual(expected);
    expect(subnetsOf("not: [yaml")).toEqual({});
    // A file from before slot networks (each network labelled with its agent, subnets spread over the
    // pool) is not a hint: honouring it would give mesh and proxy a network per slot up to the highest.
    const old =
      "services:\nnetworks:\n  agent-a:\n    ipam:\n      config:\n        - subnet: 10.231.171.208/28\n    labels:\n      io.openlegion.agent: a\n";
    expect(subnetsOf(old)).toEqual({});
  });
});
