import { BROWSER_PORT, BROWSER_WS_PATH } from "../common/ports.js";

/**
 * Chromium's command line in the browser sidecar: what keeps every byte on the egress proxy.
 * Playwright already adds --no-first-run, --disable-background-networking, --disable-component-update,
 * --disable-extensions, --disable-dev-shm-usage and (no chromiumSandbox) --no-sandbox: the container is
 * the sandbox, since Chromium's own needs user namespaces the hardened container does not grant.
 */
export function chromiumArgs(proxyHost: string): string[] {
  return [
    "--disable-gpu",
    "--disable-sync",
    // QUIC is UDP and cannot cross an HTTP proxy; WebRTC may only use proxied (TCP) paths.
    "--disable-quic",
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
    "--webrtc-ip-handling-policy=disable_non_proxied_udp",
    // Chromium resolves no name itself (DNS is the proxy's job), except the proxy's own.
    `--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE ${proxyHost}`,
    "--disable-features=DnsOverHttps,AsyncDns,NetworkPrediction",
    "--dns-prefetch-disable",
    "--no-pings",
    "--disable-breakpad",
  ];
}

/** The sidecar's settings, from its environment (no secret: it never holds one). */
export interface SidecarConfig {
  port: number;
  host: string;
  wsPath: string;
  proxyUrl: string;
  executablePath: string;
}

export function sidecarConfig(env: NodeJS.ProcessEnv): SidecarConfig {
  const port = Number(env.OPENLEGION_PORT ?? BROWSER_PORT);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`OPENLEGION_PORT must be a TCP port, got ${JSON.stringify(env.OPENLEGION_PORT)}`);
  const proxyUrl = env.OPENLEGION_PROXY_URL;
  if (!proxyUrl) throw new Error("OPENLEGION_PROXY_URL is required (the egress proxy's forward door)");
  return {
    port,
    host: env.OPENLEGION_BROWSER_HOST ?? "0.0.0.0",
    wsPath: BROWSER_WS_PATH,
    proxyUrl,
    executablePath: env.OPENLEGION_CHROMIUM ?? "/usr/bin/chromium",
  };
}
