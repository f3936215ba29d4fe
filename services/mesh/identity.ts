import { createHmac, createSecretKey, type KeyObject, randomBytes, timingSafeEqual } from "node:crypto";
import { isReservedAgentId } from "../common/agent-ids.js";
import type { MeshConfig } from "../common/contracts/mesh-config.js";
import { compileGlobPrefix, globProblem } from "../common/glob.js";
import { type Ipv4Cidr, parseIpv4Cidr } from "../common/ipv4-cidr.js";
import { agentToken, meshToken, operatorToken } from "../common/tokens.js";
import { type CompiledPermissions, compilePermissions, PERMISSION_KINDS } from "./core/permissions.js";
import { MeshErrors } from "./errors.js";

export type Principal = { kind: "agent"; id: string } | { kind: "operator" };

export interface AgentEntry {
  readonly id: string;
  readonly role: string;
  readonly url: string;
  readonly subnet: Ipv4Cidr;
  readonly permissions: CompiledPermissions;
  /** permissions.json `can_schedule` (default deny). */
  readonly canSchedule: boolean;
  /** Prefixes under which some key is readable (blackboard_read as prefix matchers; watches are checked). */
  readonly readPrefixes: readonly RegExp[];
}

/**
 * Who is calling: built once at boot from the compiled config and the master key. Tokens are looked
 * up by a keyed digest (a per-process random HMAC key, so the map lookup's timing says nothing about
 * any token), then the digests are compared in constant time (equal keyed digests ⇔ equal tokens).
 * One HMAC and O(1) per request at any fleet size.
 */
export class Identity {
  readonly agents: ReadonlyMap<string, AgentEntry>;
  readonly #byDigest = new Map<string, { principal: Principal; digest: Buffer }>();
  readonly #lookupKey: KeyObject = createSecretKey(randomBytes(32));
  /** The token the mesh presents to each agent (meshToken(master, id)); never serialized. */
  readonly #meshTokens = new Map<string, string>();

  constructor(config: MeshConfig, masterKey: string, subnetOverrides: Readonly<Record<string, string>> = {}) {
    if (masterKey.length < 32) throw MeshErrors.config("master key is shorter than 32 characters");
    const agents = new Map<string, AgentEntry>();
    const problems: string[] = [];
    for (const [id, agent] of Object.entries(config.agents)) {
      if (isReservedAgentId(id)) problems.push(`agent id "${id}" is reserved`);
      const subnetText = subnetOverrides[id] ?? agent.subnet;
      const subnet = parseIpv4Cidr(subnetText);
      if (!subnet) problems.push(`agents.${id}.subnet: "${subnetText}" is not an IPv4 CIDR`);
      for (const kind of PERMISSION_KINDS) {
        for (const pattern of agent.permissions[kind]) {
          const problem = globProblem(pattern);
          if (problem) problems.push(`agents.${id}.permissions.${kind}: "${pattern}": ${problem}`);
        }
      }
      if (!subnet || problems.length > 0) continue;
      agents.set(id, {
        id,
        role: agent.role,
        url: agent.url.replace(/\/+$/, ""),
        subnet,
        permissions: compilePermissions(agent.permissions),
        canSchedule: agent.permissions.can_schedule === true,
        readPrefixes: agent.permissions.blackboard_read.map((p) => compileGlobPrefix(p)),
      });
      this.#remember({ kind: "agent", id }, agentToken(masterKey, id, agent.token_generation ?? 0));
      this.#meshTokens.set(id, meshToken(masterKey, id));
    }
    if (problems.length > 0) throw MeshErrors.config(`invalid mesh config:\n  ${problems.join("\n  ")}`);
    this.#remember({ kind: "operator" }, operatorToken(masterKey));
    this.agents = agents;
  }

  #digest(token: string): Buffer {
    return createHmac("sha256", this.#lookupKey).update(token).digest();
  }

  #remember(principal: Principal, token: string): void {
    const digest = this.#digest(token);
    this.#byDigest.set(digest.toString("base64url"), { principal, digest });
  }

  resolve(presented: string): Principal | undefined {
    const digest = this.#digest(presented);
    const hit = this.#byDigest.get(digest.toString("base64url"));
    return hit && timingSafeEqual(digest, hit.digest) ? hit.principal : undefined;
  }

  /** What the mesh presents when it calls agent `id` (that agent verifies it; no other agent accepts it). */
  meshTokenFor(id: string): string {
    const token = this.#meshTokens.get(id);
    if (token === undefined) throw MeshErrors.unknownAgent(id);
    return token;
  }

  agent(id: string): AgentEntry {
    const entry = this.agents.get(id);
    if (!entry) throw MeshErrors.unknownAgent(id);
    return entry;
  }
}

export const principalName = (p: Principal): string => (p.kind === "agent" ? p.id : "operator");
