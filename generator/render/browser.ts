import { BROWSER_PORT, browserServiceName } from "../../services/common/ports.js";
import type { FleetConfig, ResolvedAgent } from "../config/schemas/fleet.js";
import { PROXY_URL } from "./generated.js";
import type { CompileOptions, ComposeService } from "./model.js";
import type { SecretPlan } from "./secrets.js";
import { commonEnv, hardened } from "./services.js";

/**
 * Chromium's limits (docs/decisions/browser.md): one browser with a few tabs measured at 250-400 MB
 * resident; 1 GiB leaves room for a heavy page, and a renderer's OOM kills the sidecar, never the agent.
 */
export const BROWSER_LIMITS = { memory: "1g", cpus: 1, pids: 256 } as const;
/** Chromium's profile and its shared memory (--disable-dev-shm-usage) both live in /tmp. */
export const BROWSER_TMPFS = "/tmp:size=512m,nosuid,nodev";

/** Whether an agent browses: it sets browser_backend (only "basic" passes the config checks). */
export const browses = (agent: ResolvedAgent): boolean => agent.browser_backend !== undefined;

/**
 * The browser sidecar of one agent: the same hardening as every service, on the agent's own internal
 * network only (its one way out is the egress proxy there), no secret, no data volume, no config dir.
 */
export function browserService(
  fleet: FleetConfig,
  agent: ResolvedAgent,
  plan: SecretPlan,
  opts: CompileOptions,
  network: string,
): ComposeService {
  const service = hardened(
    {
      name: browserServiceName(agent.id),
      kind: "browser",
      image: opts.standIn?.image ?? `openlegion/browser:${opts.toolVersion}`,
      port: BROWSER_PORT,
      dependsOn: [],
      extraVolumes: [],
      environment: {
        OPENLEGION_LOG_FORMAT: commonEnv(fleet).OPENLEGION_LOG_FORMAT ?? "json",
        OPENLEGION_PORT: String(BROWSER_PORT),
        OPENLEGION_PROXY_URL: PROXY_URL,
      },
      ports: [],
      networks: [network],
      memory: BROWSER_LIMITS.memory,
      cpus: BROWSER_LIMITS.cpus,
      pids: BROWSER_LIMITS.pids,
      sysctls: { "net.ipv4.ping_group_range": "1 0" },
      agentId: agent.id,
    },
    plan,
    opts,
  );
  const { secrets: _none, ...rest } = service;
  return { ...rest, volumes: [], tmpfs: [BROWSER_TMPFS] };
}
