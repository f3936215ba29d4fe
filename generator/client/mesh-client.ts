import { type Dispatcher, request } from "undici";
import type { z } from "zod";
import { FleetCodes, fleetFailure, fleetUsage } from "../docker/errors.js";
import {
  type CostsReport,
  costsSchema,
  type MeshStatus,
  meshErrorSchema,
  meshStatusSchema,
  type StreamEvent,
  streamEventSchema,
} from "./schemas.js";
import { SseReader } from "./sse.js";
import type { MeshTarget } from "./target.js";

const MAX_REPLY = 8 * 1024 * 1024;

export interface ChatOptions {
  signal?: AbortSignal;
  onEvent?: (ev: StreamEvent) => void;
}

/** The reply of one chat turn, or the error event that ended it. */
export type ChatOutcome =
  | { ok: true; reply: string }
  | { ok: false; code: string; message: string; budget: boolean };

/** A budget refusal, however it reached us (proxy 402 → agent → mesh). */
export const isBudgetError = (code: string, message: string): boolean =>
  /BUDGET/.test(code) || /\bbudget\b/i.test(message) || /\b402\b/.test(message);

/** Operator API client for the CLI and the REPL. Errors carry OlError codes with the fix in the message. */
export class MeshClient {
  readonly target: MeshTarget;
  readonly #dispatcher: Dispatcher | undefined;

  constructor(target: MeshTarget, dispatcher?: Dispatcher) {
    this.target = target;
    this.#dispatcher = dispatcher;
  }

  status(refresh = false): Promise<MeshStatus> {
    return this.#json("GET", `/v1/status${refresh ? "?refresh=1" : ""}`, undefined, meshStatusSchema);
  }

  costs(period: "today" | "month" | "all" = "today"): Promise<CostsReport> {
    return this.#json("GET", `/v1/costs?period=${period}`, undefined, costsSchema);
  }

  async broadcast(message: string): Promise<{ delivered: string[]; rejected: string[] }> {
    const { z } = await import("zod");
    const r = await this.#json(
      "POST",
      "/v1/broadcast",
      { payload: { text: message } },
      z.object({ ids: z.record(z.string(), z.number()), rejected: z.array(z.string()) }),
    );
    return { delivered: Object.keys(r.ids).sort(), rejected: r.rejected };
  }

  async reset(agent: string): Promise<void> {
    const { z } = await import("zod");
    await this.#json(
      "POST",
      `/v1/agents/${encodeURIComponent(agent)}/reset`,
      {},
      z.object({ reset: z.literal(true) }),
    );
  }

  /** One chat turn, streamed: each event goes to `onEvent`; resolves with the outcome. */
  async chat(agent: string, message: string, opts: ChatOptions = {}): Promise<ChatOutcome> {
    const res = await this.#send(
      "POST",
      `/v1/agents/${encodeURIComponent(agent)}/chat`,
      { message, stream: true },
      {
        accept: "text/event-stream",
        ...(opts.signal ? { signal: opts.signal } : {}),
        timeoutMs: 0,
      },
    );
    if (res.statusCode !== 200) throw await this.#errorOf(res);
    const reader = new SseReader();
    let bytes = 0;
    for await (const chunk of res.body) {
      const text = Buffer.isBuffer(chunk) ? chunk.toString("utf8") : String(chunk);
      bytes += text.length;
      if (bytes > MAX_REPLY) {
        res.body.destroy();
        throw fleetFailure(
          FleetCodes.MESH_BAD_REPLY,
          `chat reply from ${agent} is larger than ${MAX_REPLY} bytes`,
        );
      }
      for (const raw of reader.push(text)) {
        let ev: StreamEvent | undefined;
        try {
          const parsed = streamEventSchema.safeParse(JSON.parse(raw.data));
          ev = parsed.success ? parsed.data : undefined;
        } catch {
          ev = undefined;
        }
        if (!ev) continue;
        opts.onEvent?.(ev);
        if (ev.type === "done") {
          res.body.destroy();
          return { ok: true, reply: ev.reply };
        }
        if (ev.type === "error") {
          res.body.destroy();
          return {
            ok: false,
            code: ev.code,
            message: ev.message,
            budget: isBudgetError(ev.code, ev.message),
          };
        }
      }
    }
    throw fleetFailure(FleetCodes.MESH_BAD_REPLY, `the chat stream from ${agent} ended without a reply`);
  }

  /** Any JSON call of the operator API, its reply checked against `schema`. */
  call<S extends z.ZodType>(
    method: "GET" | "POST",
    path: string,
    body: unknown,
    schema: S,
  ): Promise<z.output<S>> {
    return this.#json(method, path, body, schema);
  }

  /** A GET that answers undefined on 404 (e.g. a queued workflow run that has not started yet). */
  async getOptional<S extends z.ZodType>(path: string, schema: S): Promise<z.output<S> | undefined> {
    const res = await this.#send("GET", path, undefined, { accept: "application/json", timeoutMs: 30_000 });
    if (res.statusCode === 404) {
      await res.body.dump();
      return undefined;
    }
    return this.#parse("GET", path, res, schema);
  }

  async #json<S extends z.ZodType>(
    method: "GET" | "POST",
    path: string,
    body: unknown,
    schema: S,
  ): Promise<z.output<S>> {
    const res = await this.#send(method, path, body, { accept: "application/json", timeoutMs: 30_000 });
    return this.#parse(method, path, res, schema);
  }

  async #parse<S extends z.ZodType>(
    method: string,
    path: string,
    res: Dispatcher.ResponseData,
    schema: S,
  ): Promise<z.output<S>> {
    if (res.statusCode < 200 || res.statusCode >= 300) throw await this.#errorOf(res);
    const text = await readCapped(res.body);
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      throw fleetFailure(FleetCodes.MESH_BAD_REPLY, `${method} ${path}: the mesh answered with non-JSON`);
    }
    const parsed = schema.safeParse(data);
    if (!parsed.success)
      throw fleetFailure(
        FleetCodes.MESH_BAD_REPLY,
        `${method} ${path}: unexpected reply (${parsed.error.issues[0]?.message ?? "invalid"}); is the CLI the same version as the fleet?`,
      );
    return parsed.data;
  }

  async #send(
    method: "GET" | "POST",
    path: string,
    body: unknown,
    o: { accept: string; signal?: AbortSignal; timeoutMs: number },
  ): Promise<Dispatcher.ResponseData> {
    try {
      return await request(`${this.target.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.target.token}`,
          accept: o.accept,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        ...(this.#dispatcher ? { dispatcher: this.#dispatcher } : {}),
        ...(o.signal ? { signal: o.signal } : {}),
        headersTimeout: o.timeoutMs || 10 * 60_000,
        bodyTimeout: o.timeoutMs || 10 * 60_000,
      });
    } catch (error) {
      if (o.signal?.aborted) throw error;
      const why =
        error instanceof Error ? ((error as { code?: string }).code ?? error.message) : String(error);
      throw fleetFailure(
        FleetCodes.MESH_UNREACHABLE,
        `the mesh at ${this.target.url} is not reachable (${why}): is the fleet up? run openlegion up (or openlegion status)`,
        error,
      );
    }
  }

  async #errorOf(res: Dispatcher.ResponseData): Promise<Error> {
    const text = await readCapped(res.body).catch(() => "");
    let code = `HTTP ${res.statusCode}`;
    let message = text.slice(0, 300);
    try {
      const parsed = meshErrorSchema.safeParse(JSON.parse(text));
      if (parsed.success) ({ code, message } = parsed.data);
    } catch {
      // not JSON: keep the raw text
    }
    if (res.statusCode === 401) {
      return fleetFailure(
        FleetCodes.MESH_REFUSED,
        "the mesh refused the operator token: .env's OPENLEGION_MASTER_KEY differs from the running fleet's; run openlegion up to apply it",
      );
    }
    // A missing run/workflow/step or a refused decision is the user's input: exit 2.
    if ([400, 404, 409].includes(res.statusCode))
      return fleetUsage(FleetCodes.MESH_REFUSED, `mesh: ${message} (${code})`);
    return fleetFailure(FleetCodes.MESH_REFUSED, `mesh: ${message} (${code})`);
  }
}

async function readCapped(body: Dispatcher.ResponseData["body"]): Promise<string> {
  let out = "";
  for await (const chunk of body) {
    out += Buffer.isBuffer(chunk) ? chunk.toString("utf8") : String(chunk);
    if (out.length > MAX_REPLY) {
      body.destroy();
      throw fleetFailure(FleetCodes.MESH_BAD_REPLY, `mesh reply larger than ${MAX_REPLY} bytes`);
    }
  }
  return out;
}
