import { join } from "node:path";
import type { Logger } from "pino";
import type { AgentConfig } from "../config/load.js";
import type { RESTART } from "./connection.js";
import { PinStore } from "./pins.js";
import { McpToolProvider } from "./provider.js";

/** Where the pins of every MCP tool definition live (inside the agent's data root). */
export const PINS_FILE = "mcp/pins.json";

/**
 * One provider per stdio MCP server of the manifest, after the built-ins (a clash is renamed
 * `mcp_<server>_<tool>`). A server's environment is its configured env plus its secret env; the
 * SDK adds only HOME, LOGNAME, PATH, SHELL, TERM and USER of the agent's own environment.
 */
export function mcpProviders(
  config: AgentConfig,
  dataRoot: string,
  log: Logger,
  restart?: typeof RESTART,
): McpToolProvider[] {
  const pins = new PinStore(join(dataRoot, PINS_FILE));
  return config.manifest.mcp_servers.flatMap((s) => {
    if (!s.command) {
      log.error({ mcp: s.name }, "remote MCP servers (url) are not supported yet; server skipped");
      return [];
    }
    const env = { ...s.env, ...config.mcpSecretEnv?.[s.name] };
    const spec = { name: s.name, command: s.command, args: s.args, env, timeoutS: s.timeout_s };
    return [new McpToolProvider(spec, { log, pins, ...(restart ? { restart } : {}) })];
  });
}
