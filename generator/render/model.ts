import type { GeneratedFiles } from "./generated.js";
import type { SecretPlan } from "./secrets.js";

/** The service keys the compiler emits, in dclint's service-keys-order (then alphabetical). */
export interface ComposeService {
  image: string;
  depends_on?: Record<string, { condition: "service_healthy" }>;
  volumes: string[];
  secrets?: { source: string; target: string }[];
  environment: Record<string, string>;
  ports?: string[];
  networks: string[];
  command?: string[];
  restart: "unless-stopped";
  healthcheck: { test: string[]; interval: string; timeout: string; retries: number; start_period: string };
  logging: { driver: "json-file"; options: Record<string, string> };
  labels: Record<string, string>;
  user: string;
  cap_drop: string[];
  cpus: number;
  init: boolean;
  mem_limit: string;
  memswap_limit: string;
  pids_limit: number;
  read_only: boolean;
  security_opt: string[];
  stop_grace_period: string;
  sysctls?: Record<string, string>;
  tmpfs: string[];
}

export interface ComposeNetwork {
  driver: "bridge";
  driver_opts?: Record<string, string>;
  internal?: boolean;
  ipam?: { config: { subnet: string }[] };
  labels: Record<string, string>;
}

export interface ComposeFile {
  "x-openlegion": { generator: string; version: string; inputs: string };
  services: Record<string, ComposeService>;
  networks: Record<string, ComposeNetwork>;
  volumes: Record<string, { labels: Record<string, string> }>;
  secrets: Record<string, { file: string }>;
}

/** What `compile` returns: plain data. Only `serialize` knows YAML; only `writeRender` touches disk. */
export interface ComposeModel {
  toolVersion: string;
  /** sha256 of the canonical FleetConfig JSON without secrets. */
  inputDigest: string;
  compose: ComposeFile;
  /** compose/<service>/… files, path relative to the fleet directory → content. */
  files: GeneratedFiles;
  secrets: SecretPlan;
}

export interface StandIn {
  /** Image for mesh and egress-proxy (agents keep their own `image:` override or get this too). */
  image: string;
  command: string[];
  healthcheck: string[];
}

export interface CompileOptions {
  toolVersion: string;
  /** Subnets of the agent networks in the file on disk, kept when still valid (see subnets.ts). */
  previousSubnets?: Readonly<Record<string, string>>;
  /** The highest agent slot that had a network in the file on disk (subnets.ts `agentSlots`). */
  previousTopSlot?: number;
  /**
   * The fleet directory relative to the output directory (`render --out`), `/`-separated; relative
   * host paths from the config (watchers, skills_dir) are rebased onto it. Default ".".
   */
  hostPathBase?: string;
  /** Token generation per agent id (absent = 0); see TOKEN_GENERATIONS_FILE. */
  tokenGenerations?: Readonly<Record<string, number>>;
  /** PEM text of egress.extra_ca_bundle (read by runRender; compile stays pure). */
  extraCaPem?: string;
  /** Tests only: run every service from a stand-in image and command (no project images needed). */
  standIn?: StandIn;
}

export const LABEL = {
  service: "io.openlegion.service",
  agent: "io.openlegion.agent",
  version: "io.openlegion.version",
  configHash: "io.openlegion.config-hash",
  network: "io.openlegion.network",
  volume: "io.openlegion.volume",
} as const;
