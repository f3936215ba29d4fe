/**
 * IPv4 addresses and CIDRs as numbers, for the compiler (subnet pool, lint), the config schema and the
 * mesh's subnet check (ARCHITECTURE.md §5). Pure. IPv4-mapped IPv6 (`::ffff:10.0.0.2`, what a dual-stack
 * socket reports) is unwrapped; any other IPv6 address is never inside an IPv4 CIDR. (The egress proxy's
 * address policy covers IPv6 too and uses ipaddr.js instead.)
 */
export interface Ipv4Cidr {
  /** The address as written, host bits included (the pool check reports them). */
  readonly base: number;
  readonly prefix: number;
  readonly text: string;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function parseIpv4(address: string): number | undefined {
  const unwrapped = address.toLowerCase().startsWith("::ffff:") ? address.slice(7) : address;
  const m = IPV4.exec(unwrapped);
  if (!m) return undefined;
  let value = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(m[i]);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

/** Parses `a.b.c.d/n`; undefined when malformed. */
export function parseIpv4Cidr(text: string): Ipv4Cidr | undefined {
  const slash = text.indexOf("/");
  if (slash < 0 || text.includes(":")) return undefined;
  const base = parseIpv4(text.slice(0, slash));
  const bits = text.slice(slash + 1);
  if (base === undefined || !/^\d{1,2}$/.test(bits) || Number(bits) > 32) return undefined;
  return { base, prefix: Number(bits), text };
}

export const formatIpv4 = (n: number): string =>
  [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");

/** Do the two CIDRs share an address? */
export function cidrsOverlap(
  a: { base: number; prefix: number },
  b: { base: number; prefix: number },
): boolean {
  const size = 2 ** (32 - Math.min(a.prefix, b.prefix));
  return Math.floor(a.base / size) === Math.floor(b.base / size);
}

export function cidrContains(cidr: Ipv4Cidr, address: string | undefined): boolean {
  const ip = address === undefined ? undefined : parseIpv4(address);
  return ip !== undefined && cidrsOverlap(cidr, { base: ip, prefix: 32 });
}
