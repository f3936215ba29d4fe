import { Agent, type Dispatcher, request } from "undici";
import { meshErrorSchema } from "../../../common/contracts/mesh-api.js";
import { ToolErrors } from "../errors.js";

export const MESH_TIMEOUT_MS = 15_000;
export const MESH_MAX_RESPONSE_BYTES = 2_000_000;

export interface MeshResponse {
  status: number;
  body: unknown;
}

/**
 * Thin client of the mesh API (services/common/contracts/mesh-api.ts), authenticated with the agent
 * token. Uses its own undici Agent: never the env's proxy settings, never the egress proxy (the mesh is
 * on the agent's own network). Non-2xx answers become OL_ERR_AGENT_MESH_CALL with the mesh's code.
 */
export class MeshClient {
  readonly #base: string;
  readonly #token: string;
  readonly #dispatcher: Dispatcher;

  constructor(meshUrl: string, agentToken: string, dispatcher?: Dispatcher) {
    this.#base = meshUrl.replace(/\/+$/, "");
    this.#token = agentToken;
    this.#dispatcher =
      dispatcher ??
      new Agent({ connections: 8, headersTimeout: MESH_TIMEOUT_MS, bodyTimeout: MESH_TIMEOUT_MS });
  }

  get url(): string {
    return this.#base;
  }

  async call(
    method: "GET" | "PUT" | "POST" | "DELETE",
    path: string,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<MeshResponse> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.#token}`,
      accept: "application/json",
    };
    if (body !== undefined) headers["content-type"] = "application/json";
    let res: Dispatcher.ResponseData;
    try {
      res = await request(`${this.#base}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        dispatcher: this.#dispatcher,
        signal: signal ?? AbortSignal.timeout(MESH_TIMEOUT_MS),
      });
    } catch (err) {
      throw ToolErrors.mesh(0, "UNREACHABLE", err instanceof Error ? err.message : String(err));
    }
    const text = await readCapped(res.body);
    let parsed: unknown = text;
    try {
      parsed = text.length ? JSON.parse(text) : undefined;
    } catch {
      // keep the text
    }
    if (res.statusCode >= 200 && res.statusCode < 300) return { status: res.statusCode, body: parsed };
    const err = meshErrorSchema.safeParse(parsed);
    if (err.success) throw ToolErrors.mesh(res.statusCode, err.data.code, err.data.message);
    throw ToolErrors.mesh(
      res.statusCode,
      "HTTP_ERROR",
      typeof parsed === "string" ? parsed : JSON.stringify(parsed),
    );
  }

  async close(): Promise<void> {
    await this.#dispatcher.close();
  }
}

async function readCapped(body: Dispatcher.ResponseData["body"]): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > MESH_MAX_RESPONSE_BYTES) {
      body.destroy();
      throw ToolErrors.mesh(502, "TOO_LARGE", `response larger than ${MESH_MAX_RESPONSE_BYTES} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Encodes each segment of a blackboard key for a URL path (keys use a strict charset anyway). */
export const keyPath = (key: string): string => key.split("/").map(encodeURIComponent).join("/");
