import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { request } from "undici";
import type { z } from "zod";
import { meshErrorSchema } from "../../client/schemas.js";
import { meshTarget } from "../../client/target.js";
import { parseEnvText } from "../../config/env-file.js";
import { FleetCodes, fleetFailure, fleetUsage } from "../../docker/errors.js";

const MAX_REPLY = 4 * 1024 * 1024;

/**
 * JSON calls to the mesh operator API for `workflow` and `webhook`, on generator/client's target
 * (mesh URL from mesh.yaml, operator token from .env). generator/client's MeshClient has no generic
 * call yet; this is the smallest one, with the same error codes (OL_ERR_CLIENT_*), to fold into it.
 */
export async function operatorApi(dir: string, port?: number) {
  const target = await meshTarget(dir, port);
  async function send(method: "GET" | "POST", path: string, body?: unknown) {
    let res: Awaited<ReturnType<typeof request>>;
    try {
      res = await request(`${target.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${target.token}`,
          accept: "application/json",
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        headersTimeout: 30_000,
        bodyTimeout: 30_000,
      });
    } catch (error) {
      const why =
        error instanceof Error ? ((error as { code?: string }).code ?? error.message) : String(error);
      throw fleetFailure(
        FleetCodes.MESH_UNREACHABLE,
        `the mesh at ${target.url} is not reachable (${why}): is the fleet up? run openlegion up (or openlegion status)`,
        error,
      );
    }
    let text = "";
    for await (const chunk of res.body) {
      text += Buffer.isBuffer(chunk) ? chunk.toString("utf8") : String(chunk);
      if (text.length > MAX_REPLY) {
        res.body.destroy();
        throw fleetFailure(FleetCodes.MESH_BAD_REPLY, `mesh reply larger than ${MAX_REPLY} bytes`);
      }
    }
    let data: unknown;
    try {
      data = text ? JSON.parse(text) : undefined;
    } catch {
      data = undefined;
    }
    return { status: res.statusCode, data, text };
  }
  function fail(method: string, path: string, status: number, data: unknown, text: string): Error {
    if (status === 401)
      return fleetFailure(
        FleetCodes.MESH_REFUSED,
        "the mesh refused the operator token: .env's OPENLEGION_MASTER_KEY differs from the running fleet's; run openlegion up to apply it",
      );
    const err = meshErrorSchema.safeParse(data);
    const detail = err.success
      ? `${err.data.message} (${err.data.code})`
      : `HTTP ${status} ${text.slice(0, 200)}`;
    // A missing run/workflow/step or a refused decision is the user's input: exit 2.
    if (status === 404 || status === 409 || status === 400)
      return fleetUsage(FleetCodes.MESH_REFUSED, `mesh: ${detail}`);
    return fleetFailure(FleetCodes.MESH_REFUSED, `${method} ${path}: mesh: ${detail}`);
  }
  function parse<S extends z.ZodType>(method: string, path: string, data: unknown, schema: S): z.output<S> {
    const parsed = schema.safeParse(data);
    if (!parsed.success)
      throw fleetFailure(
        FleetCodes.MESH_BAD_REPLY,
        `${method} ${path}: unexpected reply (${parsed.error.issues[0]?.message ?? "invalid"}); is the CLI the same version as the fleet?`,
      );
    return parsed.data;
  }
  return {
    url: target.url,
    async call<S extends z.ZodType>(method: "GET" | "POST", path: string, body: unknown, schema: S) {
      const r = await send(method, path, body);
      if (r.status < 200 || r.status >= 300) throw fail(method, path, r.status, r.data, r.text);
      return parse(method, path, r.data, schema);
    },
    /** GET that answers undefined on 404 (e.g. a queued run that has not started yet). */
    async get<S extends z.ZodType>(path: string, schema: S): Promise<z.output<S> | undefined> {
      const r = await send("GET", path, undefined);
      if (r.status === 404) return undefined;
      if (r.status < 200 || r.status >= 300) throw fail("GET", path, r.status, r.data, r.text);
      return parse("GET", path, r.data, schema);
    },
  };
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
    throw fleetUsage(
      FleetCodes.NOT_RENDERED,
      `no OPENLEGION_MASTER_KEY in ${join(dir, ".env")}: run this in the fleet directory`,
    );
  return key;
}
