import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { MeshClient } from "../../client/mesh-client.js";
import { parseEnvText } from "../../config/env-file.js";
import { FleetErrors } from "../../docker/errors.js";

/** The operator API client for a fleet directory (mesh URL from mesh.yaml, operator token from .env). */
export async function operatorApi(dir: string, port?: number): Promise<MeshClient> {
  // Loaded on use: undici and the client cost every other command ~0.15 s of start-up.
  const [{ MeshClient }, { meshTarget }] = await Promise.all([
    import("../../client/mesh-client.js"),
    import("../../client/target.js"),
  ]);
  return new MeshClient(await meshTarget(dir, port));
}

/** .env's OPENLEGION_MASTER_KEY (for secrets the CLI derives, e.g. a rotated webhook secret). */
export async function masterKey(dir: string): Promise<string> {
  let text: string | undefined;
  try {
    text = await readFile(join(dir, ".env"), "utf8");
  } catch {
    text = undefined;
  }
  const key =
    text === undefined ? undefined : parseEnvText(".env", text).entries.get("OPENLEGION_MASTER_KEY")?.value;
  if (!key)
    throw FleetErrors.notRendered(
      `no OPENLEGION_MASTER_KEY in ${join(dir, ".env")}: run this in the fleet directory`,
    );
  return key;
}
