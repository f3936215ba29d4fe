import { compareAscii } from "../../services/common/canonical-json.js";
import {
  AGENT_PORT,
  AGENT_TOKEN_SECRET,
  agentServiceName,
  DEFAULT_CONFIG_DIR,
  DEFAULT_SECRETS_DIR,
  EGRESS_PROXY_HOST,
  EGRESS_PROXY_PORT,
  MESH_HOST,
  MESH_PORT,
  STOP_GRACE_S,
} from "../../services/common/ports.js";
import type { FleetConfig, ResolvedAgent } from "../config/schemas/fleet.js";
import { RenderErrors } from "./errors.js";
import {
  hostPath,
  MESH_URL,
  PROXY_URL,
  SKILLS_MOUNT,
  serviceConfigDir,
  watcherMount,
  watcherPaths,
} from "./generated.js";
import { type CompileOptions, type ComposeService, LABEL } from "./model.js";
import { fleetPackages, needsPackages, packagesImageRef } from "./packages.js";
import type { SecretPlan } from "./secrets.js";

/** Numeric non-root user of every service (the `node` user of the Node base image). */
export const SERVICE_USER = "1000:1000";
export const TMPFS = "/tmp:size=64m,noexec,nosuid,nodev";
export const DATA_MOUNT = "/data";
export const dataVolume = (service: string): string => `${service}-data`;

/** Healthcheck of the project images: a tiny script that GETs /healthz on the service's own port. */
export const healthcheckCommand = (port: number): string[] => [
  "CMD",
  "node",
  "/opt/openlegion/healthcheck.mjs",
  String(port),
];

/** Fixed limits of the two infrastructure services. */
const INFRA_LIMITS = { memory: "512m", cpus: 1, pids: 512 } as const;

export interface ServiceInput {
  name: string;
  kind: "mesh" | "egress-proxy" | "agent" | "browser";
  image: string;
  port: number;
  dependsOn: string[];
  extraVolumes: string[];
  environment: Record<string, string>;
  ports: string[];
  networks: string[];
  memory: string;
  cpus: number;
  pids: number;
  sysctls?: Record<string, string>;
  agentId?: string;
}

const sortedRecord = (rec: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(rec).sort(([a], [b]) => compareAscii(a, b)));

/**
 * Secret mounts per service, built once per plan: filtering every spec's service list for each
 * service is quadratic (mesh_token alone lists every agent). Each list keeps the specs' order.
 */
const mountsByPlan = new WeakMap<SecretPlan, Map<string, { source: string; target: string }[]>>();

function secretMounts(plan: SecretPlan, service: string): { source: string; target: string }[] {
  let index = mountsByPlan.get(plan);
  if (!index) {
    index = new Map();
    for (const spec of plan.specs) {
      for (const name of spec.services) {
        const list = index.get(name) ?? [];
        list.push({ source: spec.name, target: spec.target });
        index.set(name, list);
      }
    }
    mountsByPlan.set(plan, index);
  }
  return (index.get(service) ?? []).map((m) => ({ ...m }));
}

/** The full hardening set (ARCHITECTURE.md §4), in dclint's key order. Labels get the config hash later. */
export function hardened(input: ServiceInput, plan: SecretPlan, opts: CompileOptions): ComposeService {
  const secrets = secretMounts(plan, input.name);
  const labels: Record<string, string> = { [LABEL.service]: input.kind, [LABEL.version]: opts.toolVersion };
  if (input.agentId !== undefined) labels[LABEL.agent] = input.agentId;
  const service: ComposeService = {
    image: input.image,
    ...(input.dependsOn.length > 0
      ? {
          depends_on: Object.fromEntries(
            [...input.dependsOn]
              .sort(compareAscii)
              .map((d) => [d, { condition: "service_healthy" as const }]),
          ),
        }
      : {}),
    volumes: [
      `./${serviceConfigDir(input.name)}:${DEFAULT_CONFIG_DIR}:ro`,
      `${dataVolume(input.name)}:${DATA_MOUNT}`,
      ...input.extraVolumes,
    ],
    ...(secrets.length > 0 ? { secrets } : {}),
    environment: sortedRecord(input.environment),
    ...(input.ports.length > 0 ? { ports: input.ports } : {}),
    networks: [...input.networks].sort(compareAscii),
    ...(opts.standIn ? { command: opts.standIn.command } : {}),
    restart: "unless-stopped",
    healthcheck: {
      test: opts.standIn ? opts.standIn.healthcheck : healthcheckCommand(input.port),
      // 10 s: `up` waits tier by tier for health, and a node healthcheck costs ~40 ms of CPU, so
      // shorter intervals tax large fleets; longer ones made a 3-service `up` take over a minute.
      interval: opts.standIn ? "2s" : "10s",
      timeout: "5s",
      retries: 3,
      start_period: opts.standIn ? "1s" : "20s",
    },
    logging: { driver: "json-file", options: { "max-file": "3", "max-size": "10m" } },
    labels: sortedRecord(labels),
    user: SERVICE_USER,
    cap_drop: ["ALL"],
    cpus: input.cpus,
    init: true,
    mem_limit: input.memory,
    memswap_limit: input.memory,
    pids_limit: input.pids,
    read_only: true,
    security_opt: ["no-new-privileges:true"],
    stop_grace_period: `${STOP_GRACE_S}s`,
    ...(input.sysctls ? { sysctls: input.sysctls } : {}),
    tmpfs: [TMPFS],
  };
  return service;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function commonEnv(fleet: FleetConfig): Record<string, string> {
  return {
    OPENLEGION_CONFIG_DIR: DEFAULT_CONFIG_DIR,
    OPENLEGION_LOG_FORMAT: fleet.env?.OPENLEGION_LOG_FORMAT ?? "json",
    OPENLEGION_SECRETS_DIR: DEFAULT_SECRETS_DIR,
    // Only the opt-out is rendered: the services default to "full" (services/common/sqlite/sync.ts).
    ...(fleet.env?.OPENLEGION_SQLITE_SYNC === "normal" ? { OPENLEGION_SQLITE_SYNC: "normal" } : {}),
  };
}

/** `agentNetworks`: every agent slot's network (compile.ts), the same list whichever agents hold them. */
export function meshService(
  fleet: FleetConfig,
  plan: SecretPlan,
  opts: CompileOptions,
  agentNetworks: readonly string[],
): ComposeService {
  const { host, port } = fleet.mesh.mesh;
  const m = IPV4.exec(host);
  if (!m || m.slice(1).some((o) => Number(o) > 255)) {
    throw RenderErrors.badValue(
      `mesh.host ${JSON.stringify(host)} must be an IPv4 address to publish on (127.0.0.1 keeps the mesh off the network)`,
    );
  }
  const watchers = [...watcherPaths(fleet, opts.hostPathBase).entries()].map(
    ([source, i]) => `${source}:${watcherMount(i)}:ro`,
  );
  return hardened(
    {
      name: MESH_HOST,
      kind: "mesh",
      image: opts.standIn?.image ?? `openlegion/mesh:${opts.toolVersion}`,
      port: MESH_PORT,
      dependsOn: [],
      extraVolumes: watchers,
      environment: {
        ...commonEnv(fleet),
        OPENLEGION_PORT: String(MESH_PORT),
        OPENLEGION_PROXY_URL: PROXY_URL,
      },
      ports: [`${host}:${port}:${MESH_PORT}`],
      networks: ["control", "ingress", ...agentNetworks],
      memory: INFRA_LIMITS.memory,
      cpus: INFRA_LIMITS.cpus,
      pids: INFRA_LIMITS.pids,
    },
    plan,
    opts,
  );
}

export function proxyService(
  fleet: FleetConfig,
  plan: SecretPlan,
  opts: CompileOptions,
  agentNetworks: readonly string[],
): ComposeService {
  return hardened(
    {
      name: EGRESS_PROXY_HOST,
      kind: "egress-proxy",
      image: opts.standIn?.image ?? `openlegion/egress-proxy:${opts.toolVersion}`,
      port: EGRESS_PROXY_PORT,
      dependsOn: [],
      extraVolumes: [],
      environment: { ...commonEnv(fleet), OPENLEGION_PORT: String(EGRESS_PROXY_PORT) },
      ports: [],
      networks: ["control", "egress", ...agentNetworks],
      memory: INFRA_LIMITS.memory,
      cpus: INFRA_LIMITS.cpus,
      pids: INFRA_LIMITS.pids,
      sysctls: { "net.ipv4.ip_forward": "0" },
    },
    plan,
    opts,
  );
}

/** The agent's image: the fleet's derived image when it asks for packages (or toolbox), else its own or ours. */
function agentImage(fleet: FleetConfig, agent: ResolvedAgent, opts: CompileOptions): string {
  const packages = fleetPackages(fleet.agents);
  if (packages && needsPackages(agent)) return packagesImageRef(packages, opts.toolVersion);
  return agent.image ?? opts.standIn?.image ?? `openlegion/agent:${opts.toolVersion}`;
}

export function agentService(
  fleet: FleetConfig,
  agent: ResolvedAgent,
  plan: SecretPlan,
  opts: CompileOptions,
  network: string,
): ComposeService {
  const name = agentServiceName(agent.id);
  const ours: Record<string, string> = {
    ...commonEnv(fleet),
    OPENLEGION_AGENT_ID: agent.id,
    OPENLEGION_MESH_URL: MESH_URL,
    OPENLEGION_PORT: String(AGENT_PORT),
    OPENLEGION_PROXY_URL: PROXY_URL,
    OPENLEGION_TOKEN_FILE: `${DEFAULT_SECRETS_DIR}/${AGENT_TOKEN_SECRET}`,
  };
  for (const key of Object.keys(agent.env)) {
    if (key in ours) {
      throw RenderErrors.badValue(`agents.${agent.id}.env.${key} collides with a variable render sets`);
    }
  }
  const skills =
    agent.skills_dir === undefined
      ? []
      : [
          `${hostPath(`agents.${agent.id}.skills_dir`, agent.skills_dir, opts.hostPathBase)}:${SKILLS_MOUNT}:ro`,
        ];
  return hardened(
    {
      name,
      kind: "agent",
      image: agentImage(fleet, agent, opts),
      port: AGENT_PORT,
      dependsOn: [EGRESS_PROXY_HOST, MESH_HOST],
      extraVolumes: skills,
      environment: { ...agent.env, ...ours },
      ports: [],
      networks: [network],
      memory: agent.resources.memory_limit.toLowerCase(),
      cpus: agent.resources.cpu_limit,
      pids: agent.resources.pids_limit,
      // Docker opens unprivileged ICMP echo sockets to every group (ping_group_range "0 2147483647");
      // an empty range ("1 0") closes them: agents have no use for ping and it is a probe and a covert channel.
      sysctls: { "net.ipv4.ping_group_range": "1 0" },
      agentId: agent.id,
    },
    plan,
    opts,
  );
}
