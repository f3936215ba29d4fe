/**
 * IPv4 CIDR membership for the subnet check (ARCHITECTURE.md §5). Pure; the source address comes from
 * the socket (never from X-Forwarded-For). IPv4-mapped IPv6 (`::ffff:10.0.0.2`) is unwrapped; any other
 * IPv6 address is never inside an IPv4 subnet.
 */
export interface Cidr {
  readonly base: number;
  readonly mask: number;
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

/** Parses `a.b.c.d/n`; returns undefined when malformed. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf("/");
  if (slash < 0) return undefined;
  const base = parseIpv4(text.slice(0, slash));
  const bitsText = text.slice(slash + 1);
  if (base === undefined || !/^\d{1,2}$/.test(bitsText)) return undefined;
  const bits = Number(bitsText);
  if (bits > 32) return undefined;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return { base: (base & mask) >>> 0, mask, text };
}

export function cidrContains(cidr: Cidr, address: string | undefined): boolean {
  if (address === undefined) return false;
  const ip = parseIpv4(address);
  if (ip === undefined) return false;
  return (ip & cidr.mask) >>> 0 === cidr.base;
}
