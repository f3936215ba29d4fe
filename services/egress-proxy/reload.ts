import { join } from "node:path";
import type { Logger } from "pino";
import { watchConfigFile } from "../common/config-watch.js";
import { configParts, type EgressProxy } from "./app.js";
import { CONFIG_FILE, loadConfig } from "./config.js";
import type { SecretReader } from "./secrets.js";

/**
 * Live reload: when `openlegion render` rewrites the mounted config.json (an agent added or removed,
 * a budget or allowlist changed), the proxy swaps its config, token table and prices in one step.
 * Calls in flight keep the agent record they authenticated with; streams and sockets stay open. An
 * invalid file is logged (or, through POST /admin/reload, refused with its error) and the running config kept.
 */
export function reloadOnChange(
  proxy: EgressProxy,
  configDir: string,
  initialText: string,
  secrets: SecretReader,
  log: Logger,
): () => void {
  const reload = () => {
    const config = loadConfig(configDir);
    Object.assign(proxy.context, configParts(config, secrets, log));
    log.info({ agents: config.agentIds.length }, "config reloaded");
    return { agents: config.agentIds.length };
  };
  proxy.context.reloadConfig = reload;
  return watchConfigFile(
    join(configDir, CONFIG_FILE),
    initialText,
    () => void reload(),
    (error) => log.error({ err: error }, "config.json changed but is not valid; keeping the running config"),
  );
}
