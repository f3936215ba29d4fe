import { join } from "node:path";
import type { Logger } from "pino";
import { mcpApiName } from "../../common/contracts/proxy-config.js";
import type { AgentConfig } from "../config/load.js";
import type { RESTART } from "./connection.js";
import { PinStore } from "./pins.js";
import { McpToolProvider } from "./provider.js";
import type { McpEndpoint } from "./transport.js";

/** Where the pins of every MCP tool definition live (inside the agent's data root). */
export const PINS_FILE = "mcp/pins.json";

/**
 * One provider per MCP server of the manifest, after the built-ins (a clash is renamed
 * `mcp_<server>_<tool>`). A stdio server's environment is its configured env plus its secret env;
 * the SDK adds only HOME, LOGNAME, PATH, SHELL, TERM and USER of the agent's own environment. A
 * remote server (`url`) is reached through the egress proxy's door for it, with the agent token.
 */
export function mcpProviders(
  config: AgentConfig,
  dataRoot: string,
  log: Logger,
  restart?: typeof RESTART,
): McpToolProvider[] {
  const pins = new PinStore(join(dataRoot, PINS_FILE));
  const { manifest, agentToken } = config;
  return manifest.mcp_servers.map((s) => {
    const endpoint: McpEndpoint = s.url
      ? {
          kind: "remote",
          url: s.url,
          ...(s.transport ? { transport: s.transport } : {}),
          proxyUrl: manifest.proxy_url,
          door: mcpApiName(manifest.id, s.name),
          agentToken,
        }
      : {
          kind: "stdio",
          command: s.command ?? "",
          args: s.args,
          env: { ...s.env, ...config.mcpSecretEnv?.[s.name] },
        };
    const spec = { name: s.name, endpoint, timeoutS: s.timeout_s };
    return new McpToolProvider(spec, { log, pins, ...(restart ? { restart } : {}) });
  });
}
