import ipaddr from "ipaddr.js";

/**
 * Address policy of the forward proxy (research/gateway.md §3): only public unicast is reachable.
 * IPv4-mapped IPv6 is unwrapped first (`::ffff:7f00:1` is loopback); NAT64, 6to4 and Teredo are not
 * unicast in ipaddr.js, so tunnels to internal IPv4 are refused too. Operator CIDRs can open private
 * ranges, but never unspecified, multicast or broadcast.
 */
export type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

const NEVER = new Set(["unspecified", "multicast", "broadcast"]);

export function parseCidr(text: string): Cidr | undefined {
  try {
    return ipaddr.parseCIDR(text);
  } catch {
    return undefined;
  }
}

/** Parses any textual IP form the OS resolver would accept (dotted, decimal, octal, hex, IPv6), or undefined. */
export function parseIpLiteral(text: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  const bare = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  if (!ipaddr.isValid(bare)) return undefined;
  try {
    return ipaddr.process(bare);
  } catch {
    return undefined;
  }
}

export interface AddressVerdict {
  allowed: boolean;
  /** Canonical address (IPv4-mapped unwrapped). */
  address: string;
  family: 4 | 6;
  range: string;
}

/** Classifies one resolved address against the policy. Unparseable input is refused. */
export function checkAddress(address: string, allowPrivate: readonly Cidr[]): AddressVerdict {
  let ip: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    ip = ipaddr.process(address);
  } catch {
    return { allowed: false, address, family: 4, range: "invalid" };
  }
  const range = ip.range();
  const family = ip.kind() === "ipv4" ? 4 : 6;
  const canonical = ip.toString();
  if (range === "unicast") return { allowed: true, address: canonical, family, range };
  if (NEVER.has(range)) return { allowed: false, address: canonical, family, range };
  const permitted = allowPrivate.some(([net, bits]) => net.kind() === ip.kind() && ip.match(net, bits));
  return { allowed: permitted, address: canonical, family, range };
}
