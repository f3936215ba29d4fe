import { type Dispatcher, request } from "undici";
import { readCapped } from "../../common/client/read-capped.js";
import { AgentRoutes } from "../../common/contracts/agent-routes.js";
import type { RouteContract } from "../../common/contracts/contract.js";
import type { InboxMessage } from "../../common/contracts/mesh-api.js";
import type { AgentEntry } from "../identity.js";

/**
 * Calls the mesh makes to agents, always with that agent's own mesh token (meshToken(master, id); the
 * agent accepts nothing else). Every call has a timeout; every response body is consumed or destroyed
 * so sockets return to the pool.
 */
export interface AgentCallOptions {
  http: Dispatcher;
  /** Resolves the token for the agent being called (Identity.meshTokenFor). */
  tokens: { meshTokenFor(id: string): string };
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

/**
 * One call of a route of the agent server (AgentRoutes), raw: callers stream or parse the reply.
 * `path` is the filled-in path (pathOf + queryString) of a route with params or a query.
 */
export async function callAgent(
  agent: AgentEntry,
  contract: RouteContract,
  opts: AgentCallOptions & { body?: unknown; accept?: string; path?: string },
): Promise<Dispatcher.ResponseData> {
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  return request(`${agent.url}${opts.path ?? contract.path}`, {
    dispatcher: opts.http,
    method: contract.method,
    headers: {
      authorization: `Bearer ${opts.tokens.meshTokenFor(agent.id)}`,
      accept: opts.accept ?? "application/json",
      ...(opts.body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    signal,
    headersTimeout: opts.timeoutMs,
    bodyTimeout: opts.timeoutMs,
  });
}

/** Pushes one batch to `POST <agent>/inbox`; resolves on 2xx, throws otherwise. */
export async function pushInbox(
  agent: AgentEntry,
  messages: InboxMessage[],
  opts: AgentCallOptions,
): Promise<void> {
  const res = await callAgent(agent, AgentRoutes.inbox, {
    ...opts,
    body: { agent: agent.id, messages },
  });
  await res.body.dump();
  if (res.statusCode < 200 || res.statusCode >= 300) throw new Error(`agent answered HTTP ${res.statusCode}`);
}

export interface HealthResult {
  up: boolean;
  detail: string;
  /** From the agent's /healthz when it answered with one: its run state and queued runs. */
  state?: "idle" | "running" | "stopping";
  queue?: number;
}

const HEALTH_REPLY_MAX = 64 * 1024;

export async function probeHealth(agent: AgentEntry, opts: AgentCallOptions): Promise<HealthResult> {
  try {
    const res = await callAgent(agent, AgentRoutes.health, opts);
    if (res.statusCode < 200 || res.statusCode >= 300) {
      await res.body.dump();
      return { up: false, detail: `HTTP ${res.statusCode}` };
    }
    const text = await readCapped(res.body, HEALTH_REPLY_MAX).catch(() => "");
    const reply = AgentRoutes.health.response[200].safeParse(safeJson(text));
    return reply.success
      ? { up: true, detail: "ok", state: reply.data.state, queue: reply.data.queue_length }
      : { up: true, detail: "ok" };
  } catch (error) {
    return { up: false, detail: errorText(error) };
  }
}

/**
 * Why a call to an agent failed, for the person who made it. On a Compose network a stopped (or
 * removed) container's name stops resolving, so ENOTFOUND means "not running", not a DNS problem.
 */
export function unreachableText(error: unknown): string {
  const text = errorText(error);
  if (text === "ENOTFOUND" || text === "EAI_AGAIN")
    return `it is stopped (no running container has its name: ${text}); start it with openlegion up`;
  if (text === "ECONNREFUSED")
    return "nothing listens on its port (still starting, or its process died: ECONNREFUSED)";
  return text;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function errorText(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === "string"
      ? code
      : error.name === "TimeoutError"
        ? "timeout"
        : error.message.slice(0, 120);
  }
  return "unknown error";
}
