import type { ProxyConfig } from "./contracts/proxy-config.js";

/**
 * How each chat channel leaves the fleet (docs/decisions/channels.md "Channel tokens at the proxy"):
 * the Web APIs whose token the proxy holds and injects (the mesh calls `/api/<name>/…` and never sees
 * the token), and the hosts the mesh may tunnel to through CONNECT (WebSockets, Discord REST).
 * Render compiles this into the proxy's `mesh` identity; the mesh's adapters use the same names.
 */
export interface ChannelProxyApi extends Omit<ProxyConfig["apis"][string], "base_url"> {
  channel: "telegram" | "slack" | "whatsapp";
  /** Only for this Slack mode. */
  slackMode?: "socket" | "http";
  defaultBaseUrl: string;
  credential: string;
}

/** Names start with `_`: a user's `apis:` name (which starts with a letter) cannot take them. */
export const CHANNEL_PROXY_APIS: Readonly<Record<string, ChannelProxyApi>> = {
  _telegram: {
    channel: "telegram",
    defaultBaseUrl: "https://api.telegram.org",
    credential: "TELEGRAM_BOT_TOKEN",
    path_prefix: "bot",
  },
  _slack: {
    channel: "slack",
    defaultBaseUrl: "https://slack.com/api",
    credential: "SLACK_BOT_TOKEN",
    header: "Authorization",
    scheme: "Bearer",
  },
  _slack_app: {
    channel: "slack",
    slackMode: "socket",
    defaultBaseUrl: "https://slack.com/api",
    credential: "SLACK_APP_TOKEN",
    header: "Authorization",
    scheme: "Bearer",
  },
  _whatsapp: {
    channel: "whatsapp",
    defaultBaseUrl: "https://graph.facebook.com",
    credential: "WHATSAPP_ACCESS_TOKEN",
    header: "Authorization",
    scheme: "Bearer",
  },
};

export const channelApi = {
  telegram: "_telegram",
  slack: "_slack",
  slackApp: "_slack_app",
  whatsapp: "_whatsapp",
} as const;

/**
 * Hosts the mesh reaches through the proxy's CONNECT door: Discord's REST API and gateway (its IDENTIFY
 * frame carries the token, so it cannot be injected), Slack's Socket Mode WebSocket. A channel's
 * `api_root` host is added to these (a self-hosted server or a test double serves both).
 */
export const CHANNEL_TUNNEL_HOSTS: Readonly<Record<string, readonly string[]>> = {
  discord: ["discord.com:443", "gateway.discord.gg:443", "*.discord.gg:443"],
  slack: ["*.slack.com:443"],
};

/** Channel credentials the mesh itself keeps: what verifies inbound requests, and Discord's gateway token. */
export const MESH_CHANNEL_CREDENTIALS: Readonly<Record<string, readonly string[]>> = {
  discord: ["DISCORD_BOT_TOKEN"],
  "slack:http": ["SLACK_SIGNING_SECRET"],
  whatsapp: ["WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN"],
};

/** `host:port` rule for a URL's origin (default port by scheme), as the proxy's allowlist spells it. */
export function urlHostRule(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || (u.protocol === "https:" || u.protocol === "wss:" ? "443" : "80")}`;
}
