import { compareAscii } from "../../services/common/canonical-json.js";
import { CHANNEL_PROXY_APIS, MESH_CHANNEL_CREDENTIALS } from "../../services/common/channel-egress.js";
import {
  AGENT_TOKEN_SECRET,
  agentServiceName,
  credentialSecretName,
  EGRESS_PROXY_HOST,
  MASTER_KEY_SECRET,
  MESH_HOST,
  MESH_TOKEN_SECRET,
} from "../../services/common/ports.js";
import { agentToken, meshToken, secretFingerprint } from "../../services/common/tokens.js";
import { CRED_PREFIX, credentialsOf } from "../config/schemas/env.js";
import type { FleetConfig } from "../config/schemas/fleet.js";
import { channelProxyApis, enabledChannels } from "./channel-egress.js";
import { RenderErrors } from "./errors.js";
import { grantedApis, resolveProviders } from "./providers.js";

/** Where render writes secret files, relative to the fleet directory (dir 0700, files 0444, gitignored). */
export const SECRETS_DIR = ".openlegion/secrets";

/** Per-agent token generation (bumped by `agent remove`; read from TOKEN_GENERATIONS_FILE by render). */
export type TokenGenerations = Readonly<Record<string, number>>;

/**
 * Where token generations live: local deployment state next to the secrets they shape, not committed config
 * (see docs/decisions/security.md). A missing file means generation 0 for every agent.
 */
export const TOKEN_GENERATIONS_FILE = ".openlegion/token-generations.json";

export const agentTokenSecretName = (id: string): string => `agent_token_${id}`;

/** One Compose secret: its top-level name, who may mount it, under which file name, and why. */
export interface SecretSpec {
  name: string;
  /** Services that mount it (sorted). */
  services: string[];
  /** File name inside the container under /run/secrets/. */
  target: string;
  /** For messages: what needs it. Never the value. */
  reason: string;
}

/** The plan plus the values. Values live only in this Map (never JSON-serialised: a Map stringifies to {}). */
export interface SecretPlan {
  specs: SecretSpec[];
  values: ReadonlyMap<string, string>;
  /** HMAC fingerprints keyed by the master key, for config-hash labels. */
  fingerprints: ReadonlyMap<string, string>;
}

export interface Need {
  credential: string;
  service: string;
  reason: string;
}

export function credentialNeeds(fleet: FleetConfig): Need[] {
  const needs: Need[] = [];
  for (const [name, provider] of Object.entries(resolveProviders(fleet))) {
    if (provider.credential)
      needs.push({ credential: provider.credential, service: EGRESS_PROXY_HOST, reason: `provider ${name}` });
  }
  for (const api of grantedApis(fleet)) {
    needs.push({
      credential: fleet.mesh.apis[api]!.credential,
      service: EGRESS_PROXY_HOST,
      reason: `api ${api}`,
    });
  }
  // Channel tokens the proxy injects go to the proxy; what verifies inbound calls (and Discord's gateway
  // token, which travels in WebSocket frames) stays with the mesh. Slack over HTTP Events needs the
  // signing secret instead of the Socket Mode app token.
  for (const [name, api] of channelProxyApis(fleet))
    needs.push({
      credential: api.credential,
      service: EGRESS_PROXY_HOST,
      reason: `channel ${CHANNEL_PROXY_APIS[name]!.channel}`,
    });
  for (const ch of enabledChannels(fleet)) {
    const key = ch.name === "slack" && ch.slackMode === "http" ? "slack:http" : ch.name;
    for (const credential of MESH_CHANNEL_CREDENTIALS[key] ?? [])
      needs.push({ credential, service: MESH_HOST, reason: `channel ${ch.name}` });
  }
  // An MCP server's secret env reaches its agent only, as a secret file the agent reads at spawn.
  for (const agent of fleet.agents) {
    for (const server of agent.mcp_servers) {
      // A remote server's bearer goes to the proxy only; the agent never holds it.
      if (server.credential)
        needs.push({
          credential: server.credential,
          service: EGRESS_PROXY_HOST,
          reason: `mcp server ${agent.id}/${server.name}`,
        });
      for (const credential of Object.values(server.secret_env)) {
        needs.push({
          credential,
          service: agentServiceName(agent.id),
          reason: `mcp server ${agent.id}/${server.name}`,
        });
      }
    }
  }
  for (const hook of fleet.mesh.webhooks) {
    if (hook.secret)
      needs.push({ credential: hook.secret, service: MESH_HOST, reason: `webhook ${hook.name}` });
  }
  return needs;
}

/**
 * Decides which secret goes to which service (ARCHITECTURE.md §5): the master key to mesh and
 * egress-proxy, each agent's token to that agent only, provider and API keys to the proxy only,
 * channel tokens and webhook secrets to the mesh only. Throws before anything is written when
 * `.env` lacks a value the fleet needs, naming every missing key (never any value).
 */
export function planSecrets(fleet: FleetConfig, generations: TokenGenerations = {}): SecretPlan {
  if (!fleet.env) {
    throw RenderErrors.envMissing(
      "render needs .env with OPENLEGION_MASTER_KEY (run `openlegion init` or create .env with mode 0600)",
    );
  }
  const master = fleet.env.OPENLEGION_MASTER_KEY;
  const creds = credentialsOf(fleet.env);
  const needs = credentialNeeds(fleet);
  const missing = new Map<string, string[]>();
  for (const need of needs) {
    if (creds[need.credential] === undefined) {
      missing.set(need.credential, [...(missing.get(need.credential) ?? []), need.reason]);
    }
  }
  if (missing.size > 0) {
    const list = [...missing.entries()]
      .sort(([a], [b]) => compareAscii(a, b))
      .map(([cred, reasons]) => `${CRED_PREFIX}${cred} (needed by ${[...new Set(reasons)].join(", ")})`);
    throw RenderErrors.secretMissing(`.env is missing ${list.join("; ")}`, {
      details: {
        missing: [...missing.keys()].sort(compareAscii).map((c) => CRED_PREFIX + c),
      },
    });
  }
  const specs = new Map<string, SecretSpec>();
  const values = new Map<string, string>();
  const add = (name: string, service: string, target: string, reason: string, value: string): void => {
    const spec = specs.get(name) ?? { name, services: [], target, reason };
    if (!spec.services.includes(service)) spec.services.push(service);
    specs.set(name, spec);
    values.set(name, value);
  };
  add(MASTER_KEY_SECRET, MESH_HOST, MASTER_KEY_SECRET, "master key", master);
  add(MASTER_KEY_SECRET, EGRESS_PROXY_HOST, MASTER_KEY_SECRET, "master key", master);
  for (const agent of fleet.agents) {
    const name = agentTokenSecretName(agent.id);
    add(
      name,
      agentServiceName(agent.id),
      AGENT_TOKEN_SECRET,
      `agent ${agent.id} token`,
      agentToken(master, agent.id, generations[agent.id] ?? 0),
    );
  }
  // How an agent recognises the mesh: a token it can compare, never the master key itself. One value
  // per agent (meshToken(master, id)), so a compromised agent's copy opens no other agent's API.
  for (const agent of fleet.agents) {
    const name = `mesh_token_${agent.id}`;
    add(
      name,
      agentServiceName(agent.id),
      MESH_TOKEN_SECRET,
      `agent ${agent.id} mesh token`,
      meshToken(master, agent.id),
    );
  }
  for (const need of needs) {
    const name = credentialSecretName(need.credential);
    add(name, need.service, name, need.reason, creds[need.credential]!);
  }
  for (const spec of specs.values()) spec.services.sort(compareAscii);
  const sorted = [...specs.values()].sort((a, b) => compareAscii(a.name, b.name));
  const fingerprints = new Map(
    sorted.map((s) => [s.name, secretFingerprint(master, values.get(s.name)!)] as const),
  );
  return { specs: sorted, values, fingerprints };
}
