import { describe, expect, it } from "vitest";
import { compile } from "../../../generator/render/compile.js";
import { canonicalJson, compactCanonical, sortKeys } from "../../../services/common/canonical-json.js";
import { makeFleet, threeAgents } from "../../fixtures/render/fleet.js";

const reference = (value: unknown): string => JSON.stringify(sortKeys(value));

describe("canonicalJson (compact)", () => {
  it("equals JSON.stringify of the key-sorted copy for a whole compiled fleet", () => {
    const fleet = makeFleet(threeAgents());
    const model = compile(fleet, { toolVersion: "0.0.0-test" });
    for (const value of [fleet, model.compose, ...Object.values(model.compose.services)]) {
      expect(compactCanonical(value)).toBeDefined();
      expect(canonicalJson(value)).toBe(reference(value));
    }
  });

  it("matches on odd plain values: undefined, -0, NaN, unicode, escapes, nesting, null prototypes", () => {
    const bare = Object.create(null) as Record<string, unknown>;
    bare.z = 1;
    bare.a = [undefined, null, -0, Number.NaN, Number.POSITIVE_INFINITY];
    const values: unknown[] = [
      { b: 1, a: { d: [3, { y: 1, x: 2 }], c: undefined }, é: '日本\n"q"\\', "": "" },
      [undefined, { b: undefined }, [], {}],
      bare,
      "plain",
      42,
      true,
      null,
      { "10": "a", "9": "b", B: 1, a: 2, _: 3 },
      { "4294967295": 1, "4294967294": 2, "01": 3, "-1": 4, "0": 5, "1.5": 6 },
    ];
    for (const value of values) expect(canonicalJson(value), JSON.stringify(value)).toBe(reference(value));
  });

  it("hands anything but plain data to the general path, which gives the same bytes as before", () => {
    const withDate = { when: new Date(0) };
    const withFn = { f: () => 1, a: 1 };
    const withToJson = { toJSON: () => "x" };
    class Box {
      v = 1;
    }
    for (const value of [withDate, withFn, withToJson, { box: new Box() }, [() => 1]]) {
      expect(compactCanonical(value)).toBeUndefined();
      expect(canonicalJson(value)).toBe(reference(value));
    }
    expect(() => canonicalJson({ n: 1n })).toThrow();
  });
});
