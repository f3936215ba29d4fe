import { lookup } from "node:dns/promises";
import { ProxyErrors } from "../errors.js";
import { type Cidr, checkAddress, parseIpLiteral } from "./addresses.js";

/** Resolves a name to every address; injectable so tests map names to loopback without DNS. */
export type Resolver = (host: string) => Promise<Array<{ address: string; family: number }>>;

export const systemResolver: Resolver = (host) => lookup(host, { all: true, verbatim: true });

export interface CheckedTarget {
  host: string;
  /** Addresses that passed the policy; connect only to these (no second lookup: rebinding cannot bite). */
  addresses: Array<{ address: string; family: 4 | 6 }>;
}

/**
 * Resolves once and refuses when ANY address is outside policy (so happy-eyeballs cannot pick the bad one).
 * IP literals in any notation (decimal, octal, hex, mapped IPv6) are parsed, never sent to DNS.
 */
export async function resolveChecked(
  host: string,
  resolver: Resolver,
  allowPrivate: readonly Cidr[],
): Promise<CheckedTarget> {
  const literal = parseIpLiteral(host);
  let found: Array<{ address: string; family: number }>;
  if (literal) {
    found = [{ address: literal.toString(), family: literal.kind() === "ipv4" ? 4 : 6 }];
  } else {
    try {
      found = await resolver(host);
    } catch {
      throw ProxyErrors.resolveFailed(host);
    }
  }
  if (found.length === 0) throw ProxyErrors.resolveFailed(host);
  const addresses: CheckedTarget["addresses"] = [];
  for (const entry of found.slice(0, 32)) {
    const verdict = checkAddress(entry.address, allowPrivate);
    if (!verdict.allowed) throw ProxyErrors.addressForbidden(host, verdict.address, verdict.range);
    addresses.push({ address: verdict.address, family: verdict.family });
  }
  return { host, addresses };
}
