import type { Dispatcher } from "undici";
import { ApiClient, type ClientErrors } from "../../services/common/client/api-client.js";
import type { AgentStreamEvent } from "../../services/common/contracts/mesh-api.js";
import { MeshRoutes } from "../../services/common/contracts/mesh-routes.js";
import { type CostsReport, costsReportSchema } from "../../services/common/contracts/proxy-admin-routes.js";
import { isOlError } from "../../services/common/errors.js";
import { FleetErrors } from "../docker/errors.js";
import type { MeshTarget } from "./target.js";

export interface ChatOptions {
  signal?: AbortSignal;
  onEvent?: (ev: AgentStreamEvent) => void;
}

/** The reply of one chat turn, or the error event that ended it. */
export type ChatOutcome =
  | { ok: true; reply: string }
  | { ok: false; code: string; message: string; budget: boolean };

/** A budget refusal, however it reached us (proxy 402 → agent → mesh). */
export const isBudgetError = (code: string, message: string): boolean =>
  /BUDGET/.test(code) || /\bbudget\b/i.test(message) || /\b402\b/.test(message);

/** The CLI's errors: each says what to do; the user's own bad input (400/404/409) exits 2. */
const cliErrors: ClientErrors = {
  unreachable: (url, error) => {
    const why = error instanceof Error ? ((error as { code?: string }).code ?? error.message) : String(error);
    return FleetErrors.meshUnreachable(
      `the mesh at ${url} is not reachable (${why}): is the fleet up? run openlegion up (or openlegion status)`,
      { cause: error },
    );
  },
  badReply: (message) => FleetErrors.meshBadReply(`${message}; is the CLI the same version as the fleet?`),
  refused: (status, code, message) => {
    if (status === 401)
      return FleetErrors.meshRefused(
        "the mesh refused the operator token: .env's OPENLEGION_MASTER_KEY differs from the running fleet's; run openlegion up to apply it",
      );
    if ([400, 404, 409].includes(status))
      return FleetErrors.meshRefused(`mesh: ${message} (${code})`, { status: 400 });
    return FleetErrors.meshRefused(`mesh: ${message} (${code})`);
  },
};

/**
 * The operator's binding of the typed client (services/common/client) for the CLI and the REPL: `api`
 * calls any route of MeshRoutes; the methods below are the ones several commands share.
 */
export class MeshClient {
  readonly target: MeshTarget;
  readonly api: ApiClient;

  constructor(target: MeshTarget, dispatcher?: Dispatcher) {
    this.target = target;
    this.api = new ApiClient({
      baseUrl: target.url,
      token: target.token,
      errors: cliErrors,
      ...(dispatcher ? { dispatcher } : {}),
    });
  }

  status(refresh = false) {
    return this.api.call(MeshRoutes.status, { query: refresh ? { refresh: "1" } : {} });
  }

  /** The proxy's report, relayed by the mesh, parsed with the proxy's contract. */
  async costs(period: "today" | "month" | "all" = "today"): Promise<CostsReport> {
    const parsed = costsReportSchema.safeParse(await this.api.call(MeshRoutes.costs, { query: { period } }));
    if (!parsed.success)
      throw cliErrors.badReply(`GET /v1/costs: unexpected report (${parsed.error.issues[0]?.message})`);
    return parsed.data;
  }

  async broadcast(message: string): Promise<{ delivered: string[]; rejected: string[] }> {
    const r = await this.api.call(MeshRoutes.broadcast, { body: { payload: { text: message } } });
    return { delivered: Object.keys(r.ids).sort(), rejected: r.rejected };
  }

  async reset(agent: string): Promise<void> {
    await this.api.call(MeshRoutes.reset, { params: { id: agent } });
  }

  /** One chat turn, streamed: each event goes to `onEvent`; resolves with the outcome. */
  async chat(agent: string, message: string, opts: ChatOptions = {}): Promise<ChatOutcome> {
    const events = this.api.events(
      MeshRoutes.chat,
      { params: { id: agent }, body: { message, stream: true } },
      { signal: opts.signal, timeoutMs: 0 },
    );
    try {
      for await (const ev of events) {
        opts.onEvent?.(ev);
        if (ev.type === "done") return { ok: true, reply: ev.reply };
        if (ev.type === "error")
          return {
            ok: false,
            code: ev.code,
            message: ev.message,
            budget: isBudgetError(ev.code, ev.message),
          };
      }
    } catch (error) {
      if (opts.signal?.aborted || isOlError(error)) throw error;
      // The socket died mid-reply (the mesh stopped or restarted): one clear line, never undici's stack.
      const why =
        (error as { code?: string }).code ?? (error instanceof Error ? error.message : String(error));
      throw FleetErrors.meshUnreachable(
        `the mesh at ${this.target.url} went away while ${agent} was replying (${why}); the reply is lost: check the fleet with openlegion status, then send the message again`,
        { cause: error },
      );
    }
    throw FleetErrors.meshBadReply(`the chat stream from ${agent} ended without a reply`);
  }
}
