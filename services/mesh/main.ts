import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { onSnapshotSignal } from "../common/backup/snapshot.js";
import { type MeshConfig, meshConfigSchema } from "../common/contracts/mesh-config.js";
import { isOlError } from "../common/errors.js";
import { drain } from "../common/http/drain.js";
import { createLogger } from "../common/log.js";
import {
  credentialSecretName,
  DEFAULT_CONFIG_DIR,
  DEFAULT_SECRETS_DIR,
  DRAIN_DEADLINE_MS,
  MASTER_KEY_SECRET,
  MESH_PORT,
} from "../common/ports.js";
import { syncModeOf, syncProblem } from "../common/sqlite/sync.js";
import { buildApp } from "./app.js";
import { MeshErrors } from "./errors.js";
import { meshLimitsSchema } from "./limits.js";
import { LiveMesh } from "./reload.js";
import { MeshStore } from "./store/mesh-store.js";

/**
 * Entry point (the only file that reads process.*). Environment, all optional:
 *   OPENLEGION_CONFIG_DIR   dir holding config.json            (default /etc/openlegion)
 *   OPENLEGION_SECRETS_DIR  dir holding the master_key file    (default /run/secrets)
 *   OPENLEGION_DATA_DIR     dir for mesh.db                    (default /data)
 *   OPENLEGION_MESH_HOST    listen address                     (default 0.0.0.0)
 *   OPENLEGION_MESH_PORT    listen port                        (default 8420)
 *   OPENLEGION_SQLITE_SYNC  SQLite synchronous: full | normal  (default full, common/sqlite/sync.ts)
 *   OPENLEGION_MESH_LIMITS  JSON object overriding limits.ts   (default {})
 *   OPENLEGION_LOG_LEVEL    fatal … trace                      (default info)
 * No secret is ever read from the environment.
 */
function readText(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw MeshErrors.config(
      `cannot read ${what} at ${path}: ${(error as NodeJS.ErrnoException).code ?? "error"}`,
    );
  }
}

/** config.json text → MeshConfig, or MeshErrors.config naming the file and each bad field. */
function parseConfig(path: string, text: string): MeshConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw MeshErrors.config(`mesh config at ${path} is not valid JSON`);
  }
  const parsed = meshConfigSchema.safeParse(json);
  if (!parsed.success) {
    throw MeshErrors.config(
      `${path}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    );
  }
  return parsed.data;
}

export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const configDir = env.OPENLEGION_CONFIG_DIR ?? DEFAULT_CONFIG_DIR;
  const secretsDir = env.OPENLEGION_SECRETS_DIR ?? DEFAULT_SECRETS_DIR;
  const dataDir = env.OPENLEGION_DATA_DIR ?? "/data";
  const configPath = join(configDir, "config.json");
  const configText = readText(configPath, "mesh config");
  const config = parseConfig(configPath, configText);
  const limits = meshLimitsSchema.safeParse(
    env.OPENLEGION_MESH_LIMITS ? JSON.parse(env.OPENLEGION_MESH_LIMITS) : {},
  );
  if (!limits.success)
    throw MeshErrors.config(
      `OPENLEGION_MESH_LIMITS: ${limits.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    );
  let masterKey: string;
  try {
    masterKey = readFileSync(join(secretsDir, MASTER_KEY_SECRET), "utf8").trim();
  } catch {
    throw MeshErrors.config(`cannot read the ${MASTER_KEY_SECRET} secret in ${secretsDir}`);
  }
  const sync = syncModeOf(env);
  if (!sync) throw MeshErrors.config(syncProblem(env));
  mkdirSync(dataDir, { recursive: true });
  const store = MeshStore.open(join(dataDir, "mesh.db"), { synchronous: sync });
  const logger = createLogger({ service: "mesh" }, env);
  const parse = (text: string) => parseConfig(configPath, text);
  let live: LiveMesh | undefined;
  const build = (config: MeshConfig) =>
    buildApp({
      config,
      masterKey,
      reloadConfig: () => live?.reloadFrom(configPath, parse) ?? Promise.resolve(0),
      store,
      limits: limits.data,
      channelSecret: (credential) => {
        try {
          return readFileSync(join(secretsDir, credentialSecretName(credential)), "utf8").trim() || undefined;
        } catch {
          return undefined;
        }
      },
      logger,
    });
  const first = await build(config);
  await first.ready();
  live = new LiveMesh(first, build);
  const stopWatching = live.watch(configPath, configText, parse);
  const log = first.log;
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    stopWatching();
    log.info({ signal }, "shutting down");
    drain(live.server, () => live.close(), DRAIN_DEADLINE_MS)
      .then(({ forced }) => {
        if (forced)
          log.warn({ deadlineMs: DRAIN_DEADLINE_MS }, "drain deadline passed: open streams were cut");
      })
      .catch((error: unknown) => log.error({ err: error }, "close failed"))
      .finally(() => {
        store.close();
        process.exit(0);
      });
  };
  onSnapshotSignal(dataDir, () => [{ file: "mesh.db", path: join(dataDir, "mesh.db") }], log);
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
  const port = Number(env.OPENLEGION_MESH_PORT ?? MESH_PORT);
  const host = env.OPENLEGION_MESH_HOST ?? "0.0.0.0";
  await new Promise<void>((resolve, reject) => {
    live.server.once("error", reject);
    live.server.listen(port, host, () => resolve());
  });
  log.info({ host, port }, "mesh listening");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    process.stderr.write(`${isOlError(error) ? `${error.code}: ${error.message}` : String(error)}\n`);
    process.exitCode = 2;
  });
}
