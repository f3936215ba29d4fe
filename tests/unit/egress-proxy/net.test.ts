import { describe, expect, test } from "vitest";
import { checkAddress, parseCidr, parseIpLiteral } from "../../../services/egress-proxy/net/addresses.js";
import {
  compileHostPattern,
  findHostRule,
  normalizeHost,
  parseAuthority,
} from "../../../services/egress-proxy/net/hosts.js";
import { resolveChecked } from "../../../services/egress-proxy/net/resolver.js";

const none: never[] = [];

describe("address policy", () => {
  test.each([
    ["127.0.0.1", "loopback"],
    ["10.1.2.3", "private"],
    ["169.254.169.254", "linkLocal"],
    ["100.64.0.1", "carrierGradeNat"],
    ["224.0.0.1", "multicast"],
    ["0.0.0.0", "unspecified"],
    ["::1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["::ffff:169.254.169.254", "linkLocal"],
    ["fd00:ec2::254", "uniqueLocal"],
    ["64:ff9b::7f00:1", "rfc6052"],
    ["fe80::1", "linkLocal"],
  ])("%s is refused (%s)", (address, range) => {
    expect(checkAddress(address, none)).toMatchObject({ allowed: false, range });
  });
  test("public unicast is allowed", () => {
    expect(checkAddress("93.184.216.34", none).allowed).toBe(true);
    expect(checkAddress("2606:4700::1111", none).allowed).toBe(true);
  });
  test("an operator CIDR opens a private range, but never unspecified or multicast", () => {
    const allow = [parseCidr("127.0.0.0/8"), parseCidr("0.0.0.0/0")].filter((c) => c !== undefined);
    expect(checkAddress("127.0.0.1", allow).allowed).toBe(true);
    expect(checkAddress("::ffff:127.0.0.1", allow).allowed).toBe(true);
    expect(checkAddress("0.0.0.0", allow).allowed).toBe(false);
    expect(checkAddress("224.0.0.1", allow).allowed).toBe(false);
  });
  test("decimal, octal, hex and short IPv4 forms are recognised as literals", () => {
    for (const form of ["2130706433", "0177.0.0.1", "0x7f.0.0.1", "127.1", "[::ffff:127.0.0.1]"]) {
      expect(parseIpLiteral(form)?.toString(), form).toBe("127.0.0.1");
    }
    expect(parseIpLiteral("example.com")).toBeUndefined();
  });
});

describe("host rules", () => {
  const rules = ["api.github.com", "*.example.com", "target.test:8080"].map(compileHostPattern);
  test("exact names match on 80/443 only unless a port is given", () => {
    expect(findHostRule(rules, "api.github.com", 443)?.pattern).toBe("api.github.com");
    expect(findHostRule(rules, "api.github.com", 22)).toBeUndefined();
    expect(findHostRule(rules, "target.test", 8080)?.pattern).toBe("target.test:8080");
    expect(findHostRule(rules, "target.test", 443)).toBeUndefined();
  });
  test("*.example.com matches subdomains at any depth but not the apex or look-alikes", () => {
    expect(findHostRule(rules, "a.b.example.com", 443)).toBeDefined();
    expect(findHostRule(rules, "example.com", 443)).toBeUndefined();
    expect(findHostRule(rules, "evilexample.com", 443)).toBeUndefined();
  });
  test("names are lower-cased, a trailing dot dropped, IDN converted", () => {
    expect(normalizeHost("API.GitHub.com.")).toBe("api.github.com");
    expect(normalizeHost("bücher.example")).toBe("xn--bcher-kva.example");
  });
  test("CONNECT authorities", () => {
    expect(parseAuthority("example.com:443")).toEqual({ host: "example.com", port: 443 });
    expect(parseAuthority("[::1]:443")).toEqual({ host: "[::1]", port: 443 });
    expect(parseAuthority("user@example.com:443")).toBeUndefined();
    expect(parseAuthority("example.com")).toBeUndefined();
  });
});

describe("resolveChecked", () => {
  test("refuses when ANY resolved address is private (rebinding-style answers)", async () => {
    const resolver = async () => [
      { address: "93.184.216.34", family: 4 },
      { address: "10.0.0.5", family: 4 },
    ];
    await expect(resolveChecked("mixed.test", resolver, none)).rejects.toMatchObject({
      code: "OL_ERR_PROXY_ADDRESS_FORBIDDEN",
    });
  });
  test("IP literals never reach the resolver", async () => {
    let called = false;
    const resolver = async () => {
      called = true;
      return [];
    };
    await expect(resolveChecked("2130706433", resolver, none)).rejects.toMatchObject({
      code: "OL_ERR_PROXY_ADDRESS_FORBIDDEN",
    });
    expect(called).toBe(false);
  });
  test("a public answer is returned for pinning", async () => {
    const target = await resolveChecked(
      "ok.test",
      async () => [{ address: "93.184.216.34", family: 4 }],
      none,
    );
    expect(target.addresses).toEqual([{ address: "93.184.216.34", family: 4 }]);
  });
});
