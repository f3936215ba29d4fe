import { describe, expect, it } from "vitest";
import { pickMeshPort, pickPool } from "../../../generator/init/free-place.js";

/** Issue 16 item 3: init picks a pool and a port that are free on this host. */
describe("init picks a free place", () => {
  it("takes the default pool on an empty host and the next free /16 beside an existing fleet", () => {
    expect(pickPool([])).toBe("10.231.0.0/16");
    expect(pickPool(["172.17.0.0/16", "10.231.0.0/28", "10.231.0.48/28"])).toBe("10.232.0.0/16");
    // A wide network (a /8 someone made) overlaps every candidate inside it.
    expect(pickPool(["10.0.0.0/8"])).toBeUndefined();
    expect(pickPool(["10.232.0.0/16"])).toBe("10.231.0.0/16");
  });

  it("takes the first port from 8420 nothing listens on", async () => {
    const busy = new Set([8420, 8421]);
    expect(await pickMeshPort(async (p) => !busy.has(p))).toBe(8422);
    expect(await pickMeshPort(async () => true)).toBe(8420);
  });
});
