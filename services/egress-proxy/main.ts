import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { onSnapshotSignal } from "../common/backup/snapshot.js";
import { isOlError } from "../common/errors.js";
import { createLogger } from "../common/log.js";
import {
  DEFAULT_CONFIG_DIR,
  DEFAULT_SECRETS_DIR,
  DRAIN_DEADLINE_MS,
  EGRESS_PROXY_PORT,
} from "../common/ports.js";
import { syncModeOf, syncProblem } from "../common/sqlite/sync.js";
import { buildProxy } from "./app.js";
import { CONFIG_FILE, loadConfig } from "./config.js";
import { ProxyErrors } from "./errors.js";
import { reloadOnChange } from "./reload.js";
import { fileSecrets } from "./secrets.js";

const readConfigText = (dir: string): string => {
  try {
    return readFileSync(join(dir, CONFIG_FILE), "utf8");
  } catch {
    return ""; // loadConfig reports it
  }
};

/**
 * Entry point of the egress-proxy container. Reads only paths and ports from the environment (never a secret):
 *   OPENLEGION_CONFIG_DIR   (default /etc/openlegion)      holds config.json from `openlegion render`
 *   OPENLEGION_SECRETS_DIR  (default /run/secrets)         master_key, cred_<lowercase credential>
 *   OPENLEGION_DATA_DIR     (default /var/lib/openlegion)  egress-proxy.db (SQLite, WAL) on the proxy's volume
 *   OPENLEGION_PROXY_PORT   (default 8480), OPENLEGION_PROXY_HOST (default 0.0.0.0)
 *   OPENLEGION_LOG_LEVEL    (default info)
 *   OPENLEGION_SQLITE_SYNC  full | normal (default full, common/sqlite/sync.ts)
 */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const log = createLogger({ service: "egress-proxy" }, env);
  const dataDir = env.OPENLEGION_DATA_DIR ?? "/var/lib/openlegion";
  mkdirSync(dataDir, { recursive: true });
  const sqliteSync = syncModeOf(env);
  if (!sqliteSync) throw ProxyErrors.config(syncProblem(env));
  const configDir = env.OPENLEGION_CONFIG_DIR ?? DEFAULT_CONFIG_DIR;
  const initialText = readConfigText(configDir);
  const secrets = fileSecrets(env.OPENLEGION_SECRETS_DIR ?? DEFAULT_SECRETS_DIR);
  const proxy = buildProxy({
    sqliteSync,
    config: loadConfig(configDir),
    secrets,
    dbPath: join(dataDir, "egress-proxy.db"),
    logger: log,
  });
  const stopWatching = reloadOnChange(proxy, configDir, initialText, secrets, log);
  const port = Number(env.OPENLEGION_PROXY_PORT ?? EGRESS_PROXY_PORT);
  const host = env.OPENLEGION_PROXY_HOST ?? "0.0.0.0";
  await new Promise<void>((resolve) => proxy.server.listen(port, host, resolve));
  log.info({ port, host, agents: proxy.context.config.agentIds.length }, "egress proxy listening");
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    stopWatching();
    log.info({ signal }, "shutting down");
    const force = setTimeout(() => process.exit(1), DRAIN_DEADLINE_MS + 3_000);
    force.unref();
    proxy.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  // The ledger is held exclusively: only the proxy's own connection can copy it (common/backup/snapshot.ts).
  onSnapshotSignal(
    dataDir,
    () => {
      proxy.context.store.flush();
      return [{ file: "egress-proxy.db", db: proxy.context.store.db }];
    },
    log,
  );
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    const message = isOlError(error) ? `${error.code}: ${error.message}` : "egress proxy failed to start";
    process.stderr.write(`${message}\n`);
    process.exit(isOlError(error) && error.code === ProxyErrors.config.code ? 2 : 1);
  });
}
