import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Every token in a fleet is derived from OPENLEGION_MASTER_KEY (ARCHITECTURE.md §5), so no token
 * table exists anywhere: mesh and proxy recompute the expected value and compare in constant time.
 */
function derive(masterKey: string, label: string): string {
  return createHmac("sha256", masterKey).update(label).digest("base64url");
}

/**
 * `generation` is bumped by `openlegion agent remove`, so a re-added agent of the same name gets a new token
 * and the removed one's copy is refused everywhere. Generation 0 keeps the original label (existing fleets
 * keep their tokens).
 */
export const agentToken = (masterKey: string, agentId: string, generation = 0): string =>
  derive(masterKey, generation === 0 ? `agent:${agentId}` : `agent:${agentId}:${generation}`);
export const operatorToken = (masterKey: string): string => derive(masterKey, "operator");
/**
 * The mesh presents this to agent `agentId`, which verifies it before accepting any call. One token per
 * agent: the copy a compromised agent holds opens no other agent's API.
 */
export const meshToken = (masterKey: string, agentId: string): string => derive(masterKey, `mesh:${agentId}`);

/**
 * A named webhook's HMAC secret at a rotation generation (the mesh verifies with it; the CLI prints it
 * once on `webhook rotate` for the sender to configure). Never stored anywhere.
 */
export const webhookSecret = (masterKey: string, hook: string, generation: number): string =>
  derive(masterKey, `webhook:${hook}:${generation}`);

/** Constant-time comparison that does not leak the expected length through an early return. */
export function tokensEqual(presented: string, expected: string): boolean {
  const a = createHmac("sha256", "cmp").update(presented).digest();
  const b = createHmac("sha256", "cmp").update(expected).digest();
  return timingSafeEqual(a, b) && presented.length === expected.length;
}

/** Finds which agent a presented token belongs to, comparing against every agent in constant time each. */
export function agentForToken(
  masterKey: string,
  agentIds: readonly string[],
  presented: string,
): string | undefined {
  let found: string | undefined;
  for (const id of agentIds) {
    if (tokensEqual(presented, agentToken(masterKey, id))) found = id;
  }
  return found;
}

/** HMAC fingerprint of a secret value for change detection (labels), never a plain hash of the secret. */
export const secretFingerprint = (masterKey: string, value: string): string =>
  createHmac("sha256", masterKey).update(`fingerprint:${value}`).digest("hex").slice(0, 16);
