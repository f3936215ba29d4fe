import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { onSnapshotSignal } from "../common/backup/snapshot.js";
import { meshConfigSchema } from "../common/contracts/mesh-config.js";
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
function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw MeshErrors.config(
      `cannot read ${what} at ${path}: ${(error as NodeJS.ErrnoException).code ?? "error"}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch {
    throw MeshErrors.config(`${what} at ${path} is not valid JSON`);
  }
}

export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const configDir = env.OPENLEGION_CONFIG_DIR ?? DEFAULT_CONFIG_DIR;
  const secretsDir = env.OPENLEGION_SECRETS_DIR ?? DEFAULT_SECRETS_DIR;
  const dataDir = env.OPENLEGION_DATA_DIR ?? "/data";
  const configPath = join(configDir, "config.json");
  const parsedConfig = meshConfigSchema.safeParse(readJson(configPath, "mesh config"));
  if (!parsedConfig.success) {
    throw MeshErrors.config(
      `${configPath}: ${parsedConfig.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    );
  }
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
  const app = await buildApp({
    config: parsedConfig.data,
    masterKey,
    store,
    limits: limits.data,
    channelSecret: (credential) => {
      try {
        return readFileSync(join(secretsDir, credentialSecretName(credential)), "utf8").trim() || undefined;
      } catch {
        return undefined;
      }
    },
    logger: createLogger({ service: "mesh" }, env),
  });
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, "shutting down");
    drain(app.server, () => app.close(), DRAIN_DEADLINE_MS)
      .then(({ forced }) => {
        if (forced)
          app.log.warn({ deadlineMs: DRAIN_DEADLINE_MS }, "drain deadline passed: open streams were cut");
      })
      .catch((error: unknown) => app.log.error({ err: error }, "close failed"))
      .finally(() => {
        store.close();
        process.exit(0);
      });
  };
  onSnapshotSignal(dataDir, () => [{ file: "mesh.db", path: join(dataDir, "mesh.db") }], app.log);
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
  const port = Number(env.OPENLEGION_MESH_PORT ?? MESH_PORT);
  await app.listen({ host: env.OPENLEGION_MESH_HOST ?? "0.0.0.0", port });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    process.stderr.write(`${isOlError(error) ? `${error.code}: ${error.message}` : String(error)}\n`);
    process.exitCode = 2;
  });
}
