/** Well-known in-stack ports and names. Services and the compiler read them from here only. */
export const MESH_PORT = 8420;
export const EGRESS_PROXY_PORT = 8480;
export const AGENT_PORT = 8400;
export const MESH_HOST = "mesh";
export const EGRESS_PROXY_HOST = "egress-proxy";
export const agentServiceName = (id: string): string => `agent-${id}`;
/** The browser sidecar of a browsing agent (on that agent's own network only) and its Playwright endpoint. */
export const browserServiceName = (id: string): string => `browser-${id}`;
export const BROWSER_PORT = 9480;
export const BROWSER_WS_PATH = "/playwright";
export const browserUrl = (id: string): string =>
  `ws://${browserServiceName(id)}:${BROWSER_PORT}${BROWSER_WS_PATH}`;
/** Where Compose mounts `secrets:` inside a container; overridable for tests on the host. */
export const DEFAULT_SECRETS_DIR = "/run/secrets";
/** Where the compiler mounts a service's generated config (read-only bind mount of compose/<service>/). */
export const DEFAULT_CONFIG_DIR = "/etc/openlegion";
/** Secret file names inside a container. */
export const MASTER_KEY_SECRET = "master_key";
export const AGENT_TOKEN_SECRET = "agent_token";
/** Inside an agent: the token the mesh presents to it (the agent never holds the master key). */
export const MESH_TOKEN_SECRET = "mesh_token";
export const credentialSecretName = (credential: string): string => `cred_${credential.toLowerCase()}`;
/**
 * Shutdown (docs/operations.md "Stopping and draining"): Compose waits STOP_GRACE_S after SIGTERM before
 * it SIGKILLs; every service drains in-flight requests and streams for at most DRAIN_DEADLINE_MS, which
 * leaves time to close its database and exit on its own.
 */
export const STOP_GRACE_S = 20;
export const DRAIN_DEADLINE_MS = (STOP_GRACE_S - 5) * 1000;

/**
 * The mesh's identity at the egress proxy (chat channels' outbound calls). Its token is
 * `agentToken(master, MESH_EGRESS_ID)`; the leading underscore keeps it apart from every agent id.
 */
export const MESH_EGRESS_ID = "_mesh";
