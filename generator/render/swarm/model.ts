/**
 * The stack file `docker stack deploy` reads (docker-stack.yml), as plain data. Keys are the
 * subset of the Compose Specification that Swarm implements (docs/decisions/swarm.md); `version`
 * is present because the stack loader of Docker 20.10–24 refuses a file without it.
 */

export interface StackMount {
  type: "volume" | "tmpfs";
  source?: string;
  target: string;
  tmpfs?: { size: number };
}

export interface StackFileRef {
  source: string;
  target: string;
  uid: string;
  gid: string;
  /** Decimal in the file: 256 = 0400, 292 = 0444. */
  mode: number;
}

export interface StackDeploy {
  mode: "replicated";
  replicas: 1;
  endpoint_mode: "dnsrr";
  labels: Record<string, string>;
  placement: { constraints: string[]; max_replicas_per_node: 1 };
  resources: {
    limits: { cpus: string; memory: string; pids: number };
    reservations: { cpus: string; memory: string };
  };
  restart_policy: { condition: "any"; delay: string; window: string };
  update_config: {
    parallelism: 1;
    order: "stop-first";
    failure_action: "rollback";
    monitor: string;
  };
  rollback_config: { parallelism: 1; order: "stop-first"; failure_action: "pause"; monitor: string };
}

export interface StackService {
  image: string;
  command?: string[];
  configs?: StackFileRef[];
  deploy: StackDeploy;
  environment: Record<string, string>;
  healthcheck: { test: string[]; interval: string; timeout: string; retries: number; start_period: string };
  init: true;
  labels: Record<string, string>;
  logging: { driver: "json-file"; options: Record<string, string> };
  networks: string[];
  ports?: { target: number; published: number; protocol: "tcp"; mode: "host" }[];
  read_only: true;
  secrets?: StackFileRef[];
  stop_grace_period: string;
  sysctls?: Record<string, string>;
  cap_drop: string[];
  user: string;
  volumes: StackMount[];
}

export interface StackNetwork {
  driver: "overlay";
  driver_opts: { encrypted: "true" };
  attachable: false;
  internal?: true;
  ipam?: { config: { subnet: string }[] };
  labels: Record<string, string>;
}

export interface StackFile {
  version: "3.9";
  "x-openlegion": { generator: string; version: string; inputs: string; target: "swarm" };
  services: Record<string, StackService>;
  networks: Record<string, StackNetwork>;
  volumes: Record<string, { labels: Record<string, string> }>;
  configs: Record<string, { file: string; labels: Record<string, string> }>;
  secrets: Record<string, { file: string; labels: Record<string, string> }>;
}

/** Node labels the stack's placement constraints read (the operator sets them; doctor checks). */
export const NODE_ROLE_LABEL = "openlegion.role";
export const CORE_CONSTRAINT = `node.labels.${NODE_ROLE_LABEL} == core`;
export const AGENTS_CONSTRAINT = `node.labels.${NODE_ROLE_LABEL} == agents`;
