import { posix } from "node:path";
import { compareAscii } from "../../../services/common/canonical-json.js";
import { DEFAULT_CONFIG_DIR } from "../../../services/common/ports.js";
import { sha256Hex } from "../canonical.js";
import { RenderErrors } from "../errors.js";
import { GENERATED_ROOT } from "../generated.js";
import { type ComposeModel, type ComposeService, LABEL } from "../model.js";
import { SECRETS_DIR } from "../secrets.js";
import { DATA_MOUNT, SERVICE_USER } from "../services.js";
import {
  AGENTS_CONSTRAINT,
  CORE_CONSTRAINT,
  type StackDeploy,
  type StackFile,
  type StackFileRef,
  type StackMount,
  type StackNetwork,
  type StackService,
} from "./model.js";

/**
 * ComposeModel → StackFile. Pure. The stack is derived from the single-host model rather than
 * compiled again, so the two targets cannot drift: same images, environment, networks, subnets,
 * healthchecks and secrets; only what Swarm expresses differently changes (docs/decisions/swarm.md).
 */
export function compileStack(model: ComposeModel): StackFile {
  const compose = model.compose;
  const [uid, gid] = SERVICE_USER.split(":") as [string, string];
  const configs: StackFile["configs"] = {};
  const secrets: StackFile["secrets"] = {};
  const services: Record<string, StackService> = {};
  for (const [name, service] of Object.entries(compose.services)) {
    const configRefs: StackFileRef[] = [];
    for (const [path, content] of model.files) {
      if (posix.dirname(path) !== `${GENERATED_ROOT}/${name}`) continue;
      const key = objectKey(`${name}-${posix.basename(path).replace(/\W/g, "_")}`, content);
      configs[key] = { file: `./${path}`, labels: { [LABEL.service]: name } };
      configRefs.push({
        source: key,
        target: `${DEFAULT_CONFIG_DIR}/${posix.basename(path)}`,
        uid,
        gid,
        mode: 0o444,
      });
    }
    const secretRefs: StackFileRef[] = [];
    for (const mount of service.secrets ?? []) {
      // Keyed by the HMAC fingerprint (never a plain hash of a secret): a new value is a new
      // secret name, so `docker stack deploy` creates it and rolls the services that mount it.
      const key = objectKey(mount.source, model.secrets.fingerprints.get(mount.source)!);
      secrets[key] = { file: `./${SECRETS_DIR}/${mount.source}`, labels: { [LABEL.service]: name } };
      secretRefs.push({ source: key, target: mount.target, uid, gid, mode: 0o400 });
    }
    services[name] = stackService(name, service, configRefs, secretRefs);
  }
  const networks: Record<string, StackNetwork> = {};
  for (const [name, net] of Object.entries(compose.networks)) {
    networks[name] = {
      driver: "overlay",
      // IPsec between nodes; agents' traffic never crosses hosts in the clear (needs IP protocol 50).
      driver_opts: { encrypted: "true" },
      attachable: false,
      ...(net.internal ? { internal: true as const } : {}),
      ...(net.ipam ? { ipam: { config: net.ipam.config.map((c) => ({ ...c })) } } : {}),
      labels: { ...net.labels },
    };
  }
  return {
    version: "3.9",
    "x-openlegion": { ...compose["x-openlegion"], target: "swarm" },
    services,
    networks,
    volumes: compose.volumes,
    configs: sortedByKey(configs),
    secrets: sortedByKey(secrets),
  };
}

/**
 * A Swarm config or secret name: readable prefix + 10 hex of its content (rotation = new name).
 * Swarm caps names at 64 characters including the `<stack>_` prefix, so the prefix is cut at 40.
 */
function objectKey(name: string, content: string): string {
  return `${name.slice(0, 40)}-${sha256Hex(name, content).slice(0, 10)}`;
}

const sortedByKey = <T>(rec: Record<string, T>): Record<string, T> =>
  Object.fromEntries(Object.entries(rec).sort(([a], [b]) => compareAscii(a, b)));

/** `/tmp:size=64m,noexec,…` → a tmpfs mount (Swarm takes only the size: see lint's swarm rule). */
function tmpfsMount(spec: string): StackMount {
  const [target, options = ""] = spec.split(/:(.*)/s) as [string, string?];
  const size = /(?:^|,)size=(\d+)([kmg]?)(?:,|$)/.exec(options);
  const factor = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[size?.[2] ?? ""] ?? 1;
  return { type: "tmpfs", target, ...(size ? { tmpfs: { size: Number(size[1]) * factor } } : {}) };
}

/** The data volume stays; any other bind of a host path cannot follow a task to another node. */
function volumeMounts(name: string, service: ComposeService): StackMount[] {
  const mounts: StackMount[] = [];
  for (const spec of service.volumes) {
    const [source, target] = spec.split(":") as [string, string];
    if (source === `./${GENERATED_ROOT}/${name}`) continue; // shipped as Swarm configs instead
    if (target === DATA_MOUNT && !source.startsWith(".") && !source.startsWith("/")) {
      mounts.push({ type: "volume", source, target });
      continue;
    }
    throw RenderErrors.swarmUnsupported(
      `${name} mounts the host directory ${source} (skills_dir or a file watcher): on Swarm its tasks run on other nodes, where that directory does not exist; use --target compose, or remove it`,
    );
  }
  return [...mounts, ...service.tmpfs.map(tmpfsMount)];
}

function deployOf(service: ComposeService): StackDeploy {
  // Agents and their browser sidecars float over agent nodes; only the mesh and the proxy are core.
  const kind = service.labels[LABEL.service];
  const core = kind === "mesh" || kind === "egress-proxy";
  return {
    mode: "replicated",
    replicas: 1,
    // Clients connect to the task's own address, not a VIP: the mesh and the proxy see each
    // agent's own overlay address (subnet binding), and IPVS's 900 s idle timeout never applies.
    endpoint_mode: "dnsrr",
    labels: { ...service.labels },
    // The mesh and the proxy own SQLite volumes: pinned to the core node.
    placement: { constraints: [core ? CORE_CONSTRAINT : AGENTS_CONSTRAINT], max_replicas_per_node: 1 },
    resources: {
      limits: { cpus: String(service.cpus), memory: service.mem_limit, pids: service.pids_limit },
      reservations: {
        cpus: String(Math.round(service.cpus * 25) / 100),
        memory: service.mem_limit,
      },
    },
    restart_policy: { condition: "any", delay: "5s", window: "60s" },
    // stop-first: one task per service ever (single-consumer channel connections, SQLite files).
    update_config: { parallelism: 1, order: "stop-first", failure_action: "rollback", monitor: "30s" },
    rollback_config: { parallelism: 1, order: "stop-first", failure_action: "pause", monitor: "30s" },
  };
}

function stackService(
  name: string,
  s: ComposeService,
  configs: StackFileRef[],
  secrets: StackFileRef[],
): StackService {
  const port = s.ports?.map((p) => {
    const parts = p.split(":");
    return { target: Number(parts.at(-1)), published: Number(parts.at(-2)), protocol: "tcp" as const };
  });
  return {
    image: s.image,
    ...(s.command ? { command: s.command } : {}),
    ...(configs.length > 0 ? { configs } : {}),
    deploy: deployOf(s),
    environment: { ...s.environment },
    healthcheck: { ...s.healthcheck, test: [...s.healthcheck.test] },
    init: true,
    labels: { ...s.labels },
    logging: { driver: s.logging.driver, options: { ...s.logging.options } },
    networks: [...s.networks],
    // Host mode: the routing mesh would hide client addresses and publish on every node.
    ...(port ? { ports: port.map((p) => ({ ...p, mode: "host" as const })) } : {}),
    read_only: true,
    ...(secrets.length > 0 ? { secrets } : {}),
    stop_grace_period: s.stop_grace_period,
    ...(s.sysctls ? { sysctls: { ...s.sysctls } } : {}),
    cap_drop: [...s.cap_drop],
    user: s.user,
    volumes: volumeMounts(name, s),
  };
}
