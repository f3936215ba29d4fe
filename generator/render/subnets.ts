import { compareAscii } from "../../services/common/canonical-json.js";
import { formatIpv4, parseIpv4Cidr } from "../../services/common/ipv4-cidr.js";
import { RenderErrors } from "./errors.js";

/** Every agent network is a /28: 14 hosts, room for the agent, mesh and egress-proxy. */
export const AGENT_PREFIX = 28;
/** Slot 0 of the pool belongs to the `control` network (mesh + egress-proxy). */
export const CONTROL_SLOT = 0;
/** Slots 1 and 2 hold the proxy's way out and the mesh's published port: every network of a fleet is in its pool. */
export const EGRESS_SLOT = 1;
export const INGRESS_SLOT = 2;
const FIRST_AGENT_SLOT = 3;
/** Agent networks come in blocks of this many: mesh and proxy join them all, so hot adds fit without recreating them. */
export const SLOT_BLOCK = 8;

/** The Compose network of agent slot `slot`: named by slot, not agent, so mesh and proxy keep the same list. */
export const slotNetwork = (slot: number): string => `agent-net-${slot}`;

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
  if (prefix > AGENT_PREFIX - 2) {
    throw RenderErrors.poolInvalid(
      `egress.subnet_pool ${cidr} is too small: it must be /26 or larger to hold the control, egress and ingress networks and one /28 per agent`,
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

export function slotOf(pool: Pool, subnet: string): number | undefined {
  const parsed = parseIpv4Cidr(subnet);
  if (!parsed || parsed.prefix !== AGENT_PREFIX) return undefined;
  const offset = parsed.base - pool.base;
  if (offset < 0 || offset % 16 !== 0 || offset / 16 >= pool.slots) return undefined;
  return offset / 16;
}

/**
 * One /28 per agent, stable per id: `previous` (the subnets of the file on disk) is honoured first, then
 * each new agent (in id order) takes the lowest free slot after the control, egress and ingress slots.
 * Low, dense slots keep the block of networks mesh and proxy join small (see `agentSlots`).
 */
export function allocateSubnets(
  pool: Pool,
  agentIds: readonly string[],
  previous: Readonly<Record<string, string>> = {},
): Map<string, string> {
  const ids = [...agentIds].sort(compareAscii);
  if (ids.length + FIRST_AGENT_SLOT > pool.slots) {
    throw RenderErrors.poolExhausted(
      `egress.subnet_pool ${pool.cidr} holds ${pool.slots - FIRST_AGENT_SLOT} agent networks (/28 each, three slots for control, egress and ingress) but the fleet has ${ids.length} agents; use a larger pool, e.g. /${Math.max(8, pool.prefix - Math.ceil(Math.log2((ids.length + 1) / pool.slots)))}`,
      { details: { agents: ids.length, capacity: pool.slots - FIRST_AGENT_SLOT } },
    );
  }
  const taken = new Map<number, string>([
    [CONTROL_SLOT, "control"],
    [EGRESS_SLOT, "egress"],
    [INGRESS_SLOT, "ingress"],
  ]);
  const out = new Map<string, string>();
  for (const id of ids) {
    const prev = previous[id];
    const slot = prev === undefined ? undefined : slotOf(pool, prev);
    if (slot !== undefined && !taken.has(slot)) {
      taken.set(slot, id);
      out.set(id, slotSubnet(pool, slot));
    }
  }
  let next = FIRST_AGENT_SLOT;
  for (const id of ids) {
    if (out.has(id)) continue;
    while (taken.has(next)) next++;
    taken.set(next, id);
    out.set(id, slotSubnet(pool, next));
  }
  return new Map([...out.entries()].sort(([a], [b]) => compareAscii(a, b)));
}

/**
 * The agent slots that get a network: every slot up to the highest in use or `previousTop` (the last
 * render's), rounded up to the end of its block of 8, leaving at least one spare. The list only grows when the fleet
 * outgrows it, so adding or removing an agent leaves mesh and proxy's networks, and so their
 * containers, unchanged.
 */
export function agentSlots(pool: Pool, subnets: ReadonlyMap<string, string>, previousTop = 0): number[] {
  const used = [...subnets.values()].map((s) => slotOf(pool, s) ?? FIRST_AGENT_SLOT);
  const highest = Math.max(FIRST_AGENT_SLOT - 1, ...used);
  const top =
    highest <= previousTop
      ? previousTop
      : Math.min(pool.slots - 1, Math.ceil((highest + 2) / SLOT_BLOCK) * SLOT_BLOCK - 1);
  return Array.from({ length: top - FIRST_AGENT_SLOT + 1 }, (_, i) => FIRST_AGENT_SLOT + i);
}
