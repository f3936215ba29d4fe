import { compareAscii } from "../../services/common/canonical-json.js";
import {
  CHANNEL_PROXY_APIS,
  CHANNEL_TUNNEL_HOSTS,
  urlHostRule,
} from "../../services/common/channel-egress.js";
import type { ProxyConfig } from "../../services/common/contracts/proxy-config.js";
import type { FleetConfig } from "../config/schemas/fleet.js";

interface EnabledChannel {
  name: string;
  apiRoot: string | undefined;
  slackMode: "socket" | "http";
}

export function enabledChannels(fleet: FleetConfig): EnabledChannel[] {
  return Object.entries(fleet.mesh.channels).flatMap(([name, cfg]) => {
    const c = cfg as { enabled?: boolean; api_root?: string; mode?: "socket" | "http" } | undefined;
    return c?.enabled ? [{ name, apiRoot: c.api_root, slackMode: c.mode ?? "socket" }] : [];
  });
}

/** The channel APIs whose token the proxy injects for this fleet, keyed by proxy API name. */
type ChannelApi = ProxyConfig["apis"][string] & { credential: string };

export function channelProxyApis(fleet: FleetConfig): Map<string, ChannelApi> {
  const out = new Map<string, ChannelApi>();
  for (const ch of enabledChannels(fleet)) {
    for (const [name, api] of Object.entries(CHANNEL_PROXY_APIS)) {
      if (api.channel !== ch.name || (api.slackMode && api.slackMode !== ch.slackMode)) continue;
      const { channel: _c, slackMode: _m, defaultBaseUrl, ...rest } = api;
      out.set(name, { ...rest, base_url: (ch.apiRoot ?? defaultBaseUrl).replace(/\/+$/, "") });
    }
  }
  return out;
}

/** host:port of a URL, as an allowed_hosts rule. */
/**
 * The mesh's identity at the proxy, or undefined when no channel is enabled (then the mesh has none):
 * the channel APIs, and the hosts it may tunnel to (Discord; Slack's Socket Mode WebSocket).
 */
export function meshEgress(fleet: FleetConfig, apis: ReadonlyMap<string, unknown>): ProxyConfig["mesh"] {
  const channels = enabledChannels(fleet);
  if (channels.length === 0) return undefined;
  const hosts = new Set<string>();
  for (const ch of channels) {
    const tunnels =
      ch.name === "slack" && ch.slackMode === "http" ? [] : (CHANNEL_TUNNEL_HOSTS[ch.name] ?? []);
    for (const h of tunnels) hosts.add(h);
    if (tunnels.length > 0 && ch.apiRoot) hosts.add(urlHostRule(ch.apiRoot));
  }
  return {
    allowed_hosts: [...hosts].sort(compareAscii),
    allowed_apis: [...apis.keys()].sort(compareAscii),
    subnet: fleet.mesh.egress.subnet_pool,
  };
}
