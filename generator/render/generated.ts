import { posix } from "node:path";
import { compareAscii, sortKeys } from "../../services/common/canonical-json.js";
import { type AgentManifest, agentManifestSchema } from "../../services/common/contracts/agent-manifest.js";
import { type MeshConfig, meshConfigSchema } from "../../services/common/contracts/mesh-config.js";
import {
  mcpApiName,
  type ProxyConfig,
  proxyConfigSchema,
} from "../../services/common/contracts/proxy-config.js";
import {
  AGENT_PORT,
  agentServiceName,
  browserUrl,
  credentialSecretName,
  EGRESS_PROXY_HOST,
  EGRESS_PROXY_PORT,
  MESH_HOST,
  MESH_PORT,
} from "../../services/common/ports.js";
import { orchestrationConfig } from "../../services/mesh/modules/orchestration/plugin/config.js";
import type { FleetConfig, ResolvedAgent } from "../config/schemas/fleet.js";
import { jsonFile } from "./canonical.js";
import { channelProxyApis, meshEgress } from "./channel-egress.js";
import { RenderErrors } from "./errors.js";
import { agentModels, grantedApis, providerOf, proxyModels, resolveProviders } from "./providers.js";

/** Generated, committed, secret-free files, keyed by path relative to the fleet directory. */
export type GeneratedFiles = Map<string, string>;

export const GENERATED_ROOT = "compose";
/** The proxy's copy of egress.extra_ca_bundle, next to its config.json. */
export const EXTRA_CA_FILE = "extra-ca.pem";
export const serviceConfigDir = (service: string): string => `${GENERATED_ROOT}/${service}`;
/** Where the mesh sees watcher directory n (read-only). */
export const watcherMount = (index: number): string => `/watch/${index}`;
export const SKILLS_MOUNT = "/opt/openlegion/skills";

export const MESH_URL = `http://${MESH_HOST}:${MESH_PORT}`;
export const PROXY_URL = `http://${EGRESS_PROXY_HOST}:${EGRESS_PROXY_PORT}`;

function checked<T>(
  schema: {
    safeParse(v: unknown): { success: true; data: T } | { success: false; error: { message: string } };
  },
  what: string,
  value: unknown,
): T {
  const result = schema.safeParse(value);
  if (!result.success)
    throw RenderErrors.outputInvalid(`generated ${what} breaks its contract: ${result.error.message}`);
  return result.data;
}

/**
 * A host path from the config as a Compose bind source: relative paths become `./x` (relative
 * to the fleet directory, so the output holds no absolute path of ours), `:` is refused because
 * it is the short syntax's separator.
 */
export function hostPath(what: string, path: string, base = "."): string {
  if (/[:\n\r\0]/.test(path)) {
    throw RenderErrors.badValue(`${what} ${JSON.stringify(path)} must not contain ":" or control characters`);
  }
  if (path.startsWith("/")) return posix.normalize(path);
  const normal = posix.normalize(posix.join(base, path)).replace(/\/+$/, "");
  if (normal === "." || normal === "") return ".";
  return normal.startsWith("../") || normal === ".." ? normal : `./${normal}`;
}

/** Distinct watcher paths in first-seen order of the sorted list, each with its mount index. */
export function watcherPaths(fleet: FleetConfig, base = "."): Map<string, number> {
  const out = new Map<string, number>();
  for (const w of fleet.watchers) {
    const source = hostPath("watchers[].path", w.path, base);
    if (!out.has(source)) out.set(source, out.size);
  }
  return out;
}

function meshConfig(
  fleet: FleetConfig,
  subnets: ReadonlyMap<string, string>,
  generations: Readonly<Record<string, number>>,
): MeshConfig {
  const mounts = watcherPaths(fleet);
  const agents: MeshConfig["agents"] = {};
  for (const a of fleet.agents) {
    agents[a.id] = {
      role: a.role,
      subnet: subnets.get(a.id)!,
      ...(generations[a.id] ? { token_generation: generations[a.id] } : {}),
      url: `http://${agentServiceName(a.id)}:${AGENT_PORT}`,
      permissions: {
        can_message: [...a.permissions.can_message].sort(compareAscii),
        can_publish: [...a.permissions.can_publish].sort(compareAscii),
        can_subscribe: [...a.permissions.can_subscribe].sort(compareAscii),
        blackboard_read: [...a.permissions.blackboard_read].sort(compareAscii),
        blackboard_write: [...a.permissions.blackboard_write].sort(compareAscii),
        allowed_apis: [...a.permissions.allowed_apis].sort(compareAscii),
        ...(a.permissions.can_schedule ? { can_schedule: true } : {}),
      },
    };
  }
  const plain = (v: unknown): Record<string, unknown> => sortKeys(v) as Record<string, unknown>;
  const channels: MeshConfig["channels"] = {};
  for (const [name, ch] of Object.entries(fleet.mesh.channels)) if (ch) channels[name] = plain(ch);
  return {
    version: 1,
    agents,
    proxy_admin_url: PROXY_URL,
    workflows: [...fleet.workflows].sort((a, b) => compareAscii(a.name, b.name)).map(plain),
    schedules: [...fleet.mesh.schedules].sort((a, b) => compareAscii(a.name, b.name)).map(plain),
    heartbeats: [...fleet.mesh.heartbeats].sort((a, b) => compareAscii(a.agent, b.agent)).map(plain),
    webhooks: [...fleet.mesh.webhooks].sort((a, b) => compareAscii(a.name, b.name)).map(plain),
    watchers: fleet.watchers.map((w) =>
      plain({ ...w, mount: watcherMount(mounts.get(hostPath("watchers[].path", w.path))!) }),
    ),
    channels,
  };
}

function proxyConfig(
  fleet: FleetConfig,
  subnets: ReadonlyMap<string, string>,
  generations: Readonly<Record<string, number>>,
): ProxyConfig {
  const providers = resolveProviders(fleet);
  const grants = fleet.mesh.egress.grants;
  const agents: ProxyConfig["agents"] = {};
  for (const a of fleet.agents) {
    agents[a.id] = {
      models: proxyModels(a, fleet.mesh.llm.embedding_model, providers),
      allowed_hosts: [...new Set(a.allowed_hosts)].sort(compareAscii),
      allowed_apis: [
        ...a.permissions.allowed_apis.filter((x) => x !== "llm"),
        ...remoteMcp(a).map((m) => m.api),
      ].sort(compareAscii),
      budget: { daily_usd: a.budget.daily_usd, monthly_usd: a.budget.monthly_usd },
      max_tokens: a.max_tokens,
      subnet: subnets.get(a.id)!,
      token_generation: generations[a.id] ?? 0,
      llm_endpoints: [...(grants[a.id]?.llm_endpoints ?? [])].sort(compareAscii),
      server_tools: [...(grants[a.id]?.server_tools ?? [])].sort(compareAscii),
    };
  }
  const apis: ProxyConfig["apis"] = {};
  for (const name of grantedApis(fleet)) {
    const api = fleet.mesh.apis[name]!;
    apis[name] = { base_url: api.base_url, credential: api.credential, header: api.header, query: api.query };
  }
  for (const a of fleet.agents)
    for (const m of remoteMcp(a))
      apis[m.api] = {
        base_url: new URL(m.url).origin,
        ...(m.credential ? { credential: m.credential } : {}),
        kind: "mcp",
      };
  const channelApis = channelProxyApis(fleet);
  for (const [name, api] of channelApis) apis[name] = api;
  const mesh = meshEgress(fleet, channelApis);
  return {
    version: 1,
    agents,
    ...(mesh ? { mesh } : {}),
    providers,
    apis,
    pricing: fleet.mesh.pricing,
    allow_private_cidrs: [...fleet.mesh.egress.allow_private_cidrs].sort(compareAscii),
    ...(fleet.mesh.egress.extra_ca_bundle === undefined ? {} : { extra_ca_file: EXTRA_CA_FILE }),
  };
}

/**
 * An agent's remote MCP servers, each a proxy API of kind "mcp" on the server's origin: the agent
 * sends every request of the server through /api/<name>/ and the proxy adds the bearer credential.
 */
export function remoteMcp(a: ResolvedAgent): Array<{ api: string; url: string; credential?: string }> {
  return a.mcp_servers.flatMap((s) =>
    s.url
      ? [{ api: mcpApiName(a.id, s.name), url: s.url, ...(s.credential ? { credential: s.credential } : {}) }]
      : [],
  );
}

function agentManifest(
  fleet: FleetConfig,
  a: ResolvedAgent,
  providers: ProxyConfig["providers"],
): AgentManifest {
  const own: AgentManifest["providers"] = {};
  for (const m of agentModels(a)) own[providerOf(m)] = providers[providerOf(m)]!.api;
  return {
    version: 1,
    id: a.id,
    role: a.role,
    model: a.model,
    fallback_models: a.fallback_models,
    max_tokens: a.max_tokens,
    temperature: a.temperature,
    browser_backend: a.browser_backend ?? "basic",
    mcp_servers: [...a.mcp_servers]
      .sort((x, y) => compareAscii(x.name, y.name))
      .map((s) => ({
        name: s.name,
        command: s.command,
        args: s.args,
        env: s.env,
        secret_env: Object.fromEntries(
          Object.entries(s.secret_env).map(([k, cred]) => [k, credentialSecretName(cred)]),
        ),
        timeout_s: s.timeout_s,
        url: s.url,
        ...(s.transport ? { transport: s.transport } : {}),
      })),
    providers: own,
    mesh_grants: MESH_GRANTS.filter((g) => a.permissions[g].length > 0),
    mesh_url: MESH_URL,
    proxy_url: PROXY_URL,
    embedding_model: fleet.mesh.llm.embedding_model,
    ...(a.skills_dir === undefined ? {} : { skills_dir: SKILLS_MOUNT }),
    ...(a.browser_backend === undefined ? {} : { browser_url: browserUrl(a.id) }),
  };
}

const MESH_GRANTS = [
  "blackboard_read",
  "blackboard_write",
  "can_message",
  "can_publish",
  "can_subscribe",
] as const;

/** Normalises text files: LF endings and exactly one trailing newline (empty stays empty). */
export const textFile = (text: string): string => {
  const lf = text.replace(/\r\n?/g, "\n").replace(/\n+$/, "");
  return lf === "" ? "" : `${lf}\n`;
};

/**
 * Runs the mesh's own boot-time config loader on the compiled config: what it would refuse (and so
 * restart forever on) is refused here, before anything is written. The loader is pure.
 */
function meshWouldAccept(mesh: MeshConfig): void {
  try {
    orchestrationConfig(mesh);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw RenderErrors.meshRefuses(`the mesh would refuse this config at boot: ${reason}`);
  }
}

/** Every generated file of the fleet, validated against the contracts the services read. */
export function generateFiles(
  fleet: FleetConfig,
  subnets: ReadonlyMap<string, string>,
  generations: Readonly<Record<string, number>> = {},
  extraCaPem?: string,
): GeneratedFiles {
  const files: GeneratedFiles = new Map();
  if (extraCaPem !== undefined)
    files.set(`${serviceConfigDir(EGRESS_PROXY_HOST)}/${EXTRA_CA_FILE}`, textFile(extraCaPem));
  const mesh = checked(meshConfigSchema, "mesh config", meshConfig(fleet, subnets, generations));
  meshWouldAccept(mesh);
  const proxy = checked(proxyConfigSchema, "egress-proxy config", proxyConfig(fleet, subnets, generations));
  files.set(`${serviceConfigDir(EGRESS_PROXY_HOST)}/config.json`, jsonFile(proxy));
  files.set(`${serviceConfigDir(MESH_HOST)}/config.json`, jsonFile(mesh));
  for (const a of fleet.agents) {
    const dir = serviceConfigDir(agentServiceName(a.id));
    const manifest = checked(
      agentManifestSchema,
      `manifest of agent ${a.id}`,
      agentManifest(fleet, a, proxy.providers),
    );
    files.set(`${dir}/PROJECT.md`, textFile(fleet.project));
    files.set(`${dir}/manifest.json`, jsonFile(manifest));
    files.set(`${dir}/system_prompt.md`, textFile(a.system_prompt));
  }
  return new Map([...files.entries()].sort(([x], [y]) => compareAscii(x, y)));
}
