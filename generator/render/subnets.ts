import { createHash } from "node:crypto";
import { compareAscii } from "../../services/common/canonical-json.js";
import { formatIpv4, parseIpv4Cidr } from "../../services/common/ipv4-cidr.js";
import { RenderErrors } from "./errors.js";

/** Every agent network is a /28: 14 hosts, room for the agent, mesh and egress-proxy. */
export const AGENT_PREFIX = 28;
/** Slot 0 of the pool belongs to the `control` network (mesh + egress-proxy). */
export const CONTROL_SLOT = 0;

export interface Pool {
  cidr: string;
  base: number;
  prefix: number;
  slots: number;
}

export function parsePool(cidr: string): Pool {
  const parsed = parseIpv4Cidr(cidr);
  if (!parsed)
    throw RenderErrors.poolInvalid(`egress.subnet_pool ${JSON.stringify(cidr)} is not an IPv4 CIDR`);
  const { base, prefix } = parsed;
  if (prefix > AGENT_PREFIX - 1) {
    throw RenderErrors.poolInvalid(
      `egress.subnet_pool ${cidr} is too small: it must be /27 or larger to hold the control network and one /28 per agent`,
    );
  }
  if (base % 2 ** (32 - prefix) !== 0) {
    const aligned = formatIpv4(base - (base % 2 ** (32 - prefix)));
    throw RenderErrors.poolInvalid(
      `egress.subnet_pool ${cidr} has host bits set (did you mean ${aligned}/${prefix}?)`,
    );
  }
  return { cidr, base, prefix, slots: 2 ** (AGENT_PREFIX - prefix) };
}

export const slotSubnet = (pool: Pool, slot: number): string =>
  `${formatIpv4(pool.base + slot * 16)}/${AGENT_PREFIX}`;

function homeSlot(id: string, slots: number): number {
  const digest = createHash("sha256").update(`subnet:${id}`).digest();
  return digest.readUInt32BE(0) % slots;
}

function slotOf(pool: Pool, subnet: string): number | undefined {
  const parsed = parseIpv4Cidr(subnet);
  if (!parsed || parsed.prefix !== AGENT_PREFIX) return undefined;
  const offset = parsed.base - pool.base;
  if (offset < 0 || offset % 16 !== 0 || offset / 16 >= pool.slots) return undefined;
  return offset / 16;
}

/**
 * One /28 per agent, stable per id: the slot is a hash of the id, linear probing on collision, so
 * the result never depends on input order. `previous` (the subnets of the file on disk) is honoured
 * first, so a collision resolved once stays resolved when agents are added later.
 */
export function allocateSubnets(
  pool: Pool,
  agentIds: readonly string[],
  previous: Readonly<Record<string, string>> = {},
): Map<string, string> {
  const ids = [...agentIds].sort(compareAscii);
  if (ids.length + 1 > pool.slots) {
    throw RenderErrors.poolExhausted(
      `egress.subnet_pool ${pool.cidr} holds ${pool.slots - 1} agent networks (/28 each, one slot for control) but the fleet has ${ids.length} agents; use a larger pool, e.g. /${Math.max(8, pool.prefix - Math.ceil(Math.log2((ids.length + 1) / pool.slots)))}`,
      { details: { agents: ids.length, capacity: pool.slots - 1 } },
    );
  }
  const taken = new Map<number, string>([[CONTROL_SLOT, "control"]]);
  const out = new Map<string, string>();
  for (const id of ids) {
    const prev = previous[id];
    const slot = prev === undefined ? undefined : slotOf(pool, prev);
    if (slot !== undefined && !taken.has(slot)) {
      taken.set(slot, id);
      out.set(id, slotSubnet(pool, slot));
    }
  }
  for (const id of ids) {
    if (out.has(id)) continue;
    let slot = homeSlot(id, pool.slots);
    while (taken.has(slot)) slot = (slot + 1) % pool.slots;
    taken.set(slot, id);
    out.set(id, slotSubnet(pool, slot));
  }
  return new Map([...out.entries()].sort(([a], [b]) => compareAscii(a, b)));
}
