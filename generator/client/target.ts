import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { MESH_PORT } from "../../services/common/ports.js";
import { operatorToken } from "../../services/common/tokens.js";
import { parseEnvText } from "../config/env-file.js";
import { FleetErrors } from "../docker/errors.js";

/** Where the CLI reaches a fleet's mesh, and with which token. The token never leaves memory. */
export interface MeshTarget {
  url: string;
  token: string;
}

const MAX_FILE = 1024 * 1024;
const meshYaml = z.object({
  mesh: z
    .object({
      host: z.string().default("127.0.0.1"),
      port: z.coerce.number().int().min(1).max(65535).default(MESH_PORT),
    })
    .partial()
    .nullish(),
});

async function readSmall(path: string): Promise<string | undefined> {
  try {
    const text = await readFile(path, "utf8");
    return text.length > MAX_FILE ? undefined : text;
  } catch {
    return undefined;
  }
}

/** Published address → address to dial: a wildcard bind is reached on loopback. */
export function dialHost(host: string): string {
  return host === "0.0.0.0" || host === "" ? "127.0.0.1" : host;
}

/**
 * mesh.yaml `mesh.host`/`mesh.port` (defaults 127.0.0.1:8420; `--port` overrides) and the operator
 * token derived from .env's OPENLEGION_MASTER_KEY. A lenient read: `chat` should still work while
 * someone is mid-edit on an unrelated part of the config.
 */
export async function meshTarget(dir: string, portOverride?: number): Promise<MeshTarget> {
  const yamlText = await readSmall(join(dir, "config", "mesh.yaml"));
  let host = "127.0.0.1";
  let port = MESH_PORT;
  if (yamlText !== undefined) {
    let data: unknown;
    try {
      data = parse(yamlText);
    } catch {
      data = {};
    }
    const parsed = meshYaml.safeParse(data ?? {});
    if (parsed.success && parsed.data.mesh) {
      host = parsed.data.mesh.host ?? host;
      port = parsed.data.mesh.port ?? port;
    }
  }
  if (portOverride !== undefined) port = portOverride;
  const envText = await readSmall(join(dir, ".env"));
  const key =
    envText === undefined
      ? undefined
      : parseEnvText(".env", envText).entries.get("OPENLEGION_MASTER_KEY")?.value;
  if (!key) {
    throw FleetErrors.notRendered(
      `no OPENLEGION_MASTER_KEY in ${join(dir, ".env")}: run this in the fleet directory (or pass it), or create one with openlegion init`,
    );
  }
  const h = dialHost(host);
  return { url: `http://${h.includes(":") ? `[${h}]` : h}:${port}`, token: operatorToken(key) };
}
