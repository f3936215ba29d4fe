import { describe, expect, it } from "vitest";
import {
  cidrContains,
  parseIpv4Cidr as parseCidr,
  parseIpv4,
} from "../../../../services/common/ipv4-cidr.js";

describe("cidr", () => {
  const net = parseCidr("10.231.0.16/28")!;
  it.each([
    ["10.231.0.16", true],
    ["10.231.0.31", true],
    ["10.231.0.32", false],
    ["10.231.0.15", false],
    ["::ffff:10.231.0.20", true],
    ["::1", false],
    ["fe80::1", false],
    ["10.231.0.300", false],
  ])("%s in 10.231.0.16/28 → %s", (address, inside) => expect(cidrContains(net, address)).toBe(inside));

  it("rejects malformed CIDRs and addresses", () => {
    expect(parseCidr("10.0.0.0")).toBeUndefined();
    expect(parseCidr("10.0.0.0/33")).toBeUndefined();
    expect(parseCidr("10.0.0.256/8")).toBeUndefined();
    expect(parseIpv4("1.2.3")).toBeUndefined();
    expect(cidrContains(net, undefined)).toBe(false);
  });

  it("handles /0 and /32", () => {
    expect(cidrContains(parseCidr("0.0.0.0/0")!, "203.0.113.9")).toBe(true);
    expect(cidrContains(parseCidr("127.0.0.1/32")!, "127.0.0.1")).toBe(true);
    expect(cidrContains(parseCidr("127.0.0.1/32")!, "127.0.0.2")).toBe(false);
  });
});
