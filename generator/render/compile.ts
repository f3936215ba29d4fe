import { isReservedAgentId, RESERVED_AGENT_IDS } from "../../services/common/agent-ids.js";
import { canonicalJson, compareAscii } from "../../services/common/canonical-json.js";
import {
  agentServiceName,
  browserServiceName,
  EGRESS_PROXY_HOST,
  MESH_HOST,
} from "../../services/common/ports.js";
import type { FleetConfig } from "../config/schemas/fleet.js";
import { browserService, browses } from "./browser.js";
import { sha256Hex } from "./canonical.js";
import { RenderErrors } from "./errors.js";
import { GENERATED_ROOT, generateFiles, textFile } from "./generated.js";
import {
  type CompileOptions,
  type ComposeFile,
  type ComposeModel,
  type ComposeNetwork,
  type ComposeService,
  LABEL,
} from "./model.js";
import { planSecrets, SECRETS_DIR, type SecretSpec } from "./secrets.js";
import { agentService, dataVolume, meshService, proxyService } from "./services.js";
import {
  agentSlots,
  allocateSubnets,
  CONTROL_SLOT,
  EGRESS_SLOT,
  INGRESS_SLOT,
  parsePool,
  slotNetwork,
  slotOf,
  slotSubnet,
} from "./subnets.js";

const INHIBIT_IPV4 = { "com.docker.network.bridge.inhibit_ipv4": "true" };

/** sha256 of the canonical fleet config without secret values (log format and SQLite sync are the .env values that shape output). */
export function inputDigest(fleet: FleetConfig): string {
  const { env, agents, ...fields } = fleet;
  // An unset browser_backend hashes as "basic", as before the field meant anything: renders of fleets
  // that do not browse keep their digest.
  const rest = {
    ...fields,
    agents: agents.map((a) => ({ ...a, browser_backend: a.browser_backend ?? "basic" })),
  };
  const sync = env?.OPENLEGION_SQLITE_SYNC === "normal" ? { OPENLEGION_SQLITE_SYNC: "normal" } : {};
  return sha256Hex(
    canonicalJson({ ...rest, env: { OPENLEGION_LOG_FORMAT: env?.OPENLEGION_LOG_FORMAT ?? "json", ...sync } }),
  );
}

/**
 * sha256 over the canonical service definition, the bytes of every generated file it mounts, and
 * the HMAC fingerprints (keyed by the master key) of the secrets it mounts. Changing any of them
 * changes the label, so `docker compose up -d` recreates exactly that service. `files` holds only
 * this service's generated files (in path order) and `secrets` only the specs it mounts.
 */
function configHash(
  service: ComposeService,
  files: readonly (readonly [string, string])[],
  secrets: readonly SecretSpec[],
  fingerprints: ReadonlyMap<string, string>,
): string {
  const parts = [canonicalJson(service)];
  for (const [path, content] of files) parts.push(path, content);
  for (const s of secrets) parts.push(s.name, fingerprints.get(s.name)!);
  return sha256Hex(...parts);
}

/** Groups `items` by `keyOf` (one pass; each group keeps input order). */
function groupBy<T>(items: Iterable<T>, keyOf: (item: T) => Iterable<string>): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    for (const key of keyOf(item)) {
      const group = out.get(key);
      if (group) group.push(item);
      else out.set(key, [item]);
    }
  }
  return out;
}

function internalNetwork(subnet: string, labels: Record<string, string>): ComposeNetwork {
  return {
    driver: "bridge",
    driver_opts: { ...INHIBIT_IPV4 },
    internal: true,
    ipam: { config: [{ subnet }] },
    labels,
  };
}

/**
 * FleetConfig → ComposeModel. Pure: no I/O, clock or randomness; the same fleet (in any key or
 * list order the loader normalises) gives the same model. Throws OlError with exit code 2 on
 * config problems, before anything can be written.
 */
export function compile(input: FleetConfig, opts: CompileOptions): ComposeModel {
  // Text is normalised first (LF, one trailing newline), so CRLF input gives the same digest and files.
  const fleet: FleetConfig = {
    ...input,
    project: textFile(input.project),
    agents: [...input.agents]
      .sort((a, b) => compareAscii(a.id, b.id))
      .map((a) => ({ ...a, system_prompt: textFile(a.system_prompt) })),
  };
  for (const a of fleet.agents) {
    if (isReservedAgentId(a.id)) {
      throw RenderErrors.nameCollision(
        `agent id "${a.id}" is reserved (it collides with a service, network or principal name: ${RESERVED_AGENT_IDS.join(", ")})`,
      );
    }
  }
  const ids = fleet.agents.map((a) => a.id);
  if (new Set(ids).size !== ids.length) {
    throw RenderErrors.nameCollision(`agent ids must be unique: ${ids.join(", ")}`);
  }
  const pool = parsePool(fleet.mesh.egress.subnet_pool);
  const subnets = allocateSubnets(pool, ids, opts.previousSubnets);
  const slots = agentSlots(pool, subnets, opts.previousTopSlot);
  const slotNetworks = slots.map(slotNetwork);
  const generations = opts.tokenGenerations ?? {};
  const secrets = planSecrets(fleet, generations);
  const files = generateFiles(fleet, subnets, generations, opts.extraCaPem);
  const digest = inputDigest(fleet);

  const services: Record<string, ComposeService> = {};
  for (const agent of fleet.agents) {
    const network = slotNetwork(slotOf(pool, subnets.get(agent.id)!)!);
    services[agentServiceName(agent.id)] = agentService(fleet, agent, secrets, opts, network);
    if (browses(agent))
      services[browserServiceName(agent.id)] = browserService(fleet, agent, secrets, opts, network);
  }
  services[EGRESS_PROXY_HOST] = proxyService(fleet, secrets, opts, slotNetworks);
  services[MESH_HOST] = meshService(fleet, secrets, opts, slotNetworks);
  // Grouped once: a per-service scan of every file and secret is quadratic (0.1 s at 500 agents).
  const filesOf = groupBy(files, ([path]) => [path.slice(GENERATED_ROOT.length + 1, path.lastIndexOf("/"))]);
  const secretsOf = groupBy(secrets.specs, (s) => s.services);
  for (const [name, service] of Object.entries(services)) {
    // Mesh and proxy reload their mounted config.json live (services/*/reload.ts): its bytes are not
    // part of their hash, so a hot-added agent does not recreate them (issue 16 item 2).
    const live = name === MESH_HOST || name === EGRESS_PROXY_HOST;
    const hash = configHash(
      service,
      live ? [] : (filesOf.get(name) ?? []),
      secretsOf.get(name) ?? [],
      secrets.fingerprints,
    );
    service.labels = { ...service.labels, [LABEL.configHash]: hash };
    service.labels = Object.fromEntries(
      Object.entries(service.labels).sort(([a], [b]) => compareAscii(a, b)),
    );
  }

  // Networks are named by slot and carry no agent label: a slot taken by a new agent changes nothing
  // Compose compares. The agent of a slot is the agent service that joins it.
  const networks: Record<string, ComposeNetwork> = {};
  for (const slot of slots)
    networks[slotNetwork(slot)] = internalNetwork(slotSubnet(pool, slot), { [LABEL.network]: "agent" });
  networks.control = internalNetwork(slotSubnet(pool, CONTROL_SLOT), { [LABEL.network]: "control" });
  // Egress and ingress are in the fleet's pool too (not Docker's default pools): two fleets with
  // different pools never collide (issue 16 item 3).
  networks.egress = {
    driver: "bridge",
    ipam: { config: [{ subnet: slotSubnet(pool, EGRESS_SLOT) }] },
    labels: { [LABEL.network]: "egress" },
  };
  networks.ingress = {
    driver: "bridge",
    ipam: { config: [{ subnet: slotSubnet(pool, INGRESS_SLOT) }] },
    labels: { [LABEL.network]: "ingress" },
  };

  const volumes: ComposeFile["volumes"] = {};
  for (const name of Object.keys(services).sort(compareAscii)) {
    volumes[dataVolume(name)] = { labels: { [LABEL.service]: name, [LABEL.volume]: "data" } };
  }
  const secretDefs: ComposeFile["secrets"] = {};
  for (const spec of secrets.specs) secretDefs[spec.name] = { file: `./${SECRETS_DIR}/${spec.name}` };

  const compose: ComposeFile = {
    "x-openlegion": { generator: "openlegion render", version: opts.toolVersion, inputs: `sha256:${digest}` },
    services,
    networks,
    volumes,
    secrets: secretDefs,
  };
  return { toolVersion: opts.toolVersion, inputDigest: digest, compose, files, secrets };
}
