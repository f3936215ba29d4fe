import type { ServerResponse } from "node:http";
import type { FleetEvent } from "../../../common/contracts/dashboard-routes.js";
import { ProxyAdminRoutes } from "../../../common/contracts/proxy-admin-routes.js";
import { sseFrame } from "../../../common/sse.js";
import type { MeshContext } from "../../context.js";
import { type ChangeEvent, FeedConnection } from "../blackboard/feed.js";
import { proxyAdmin } from "../operator/proxy-admin.js";

export interface HubLimits {
  /** Events kept for replay. */
  recent: number;
  /** Events replayed to a new connection. */
  replay: number;
  /** Open feeds at once. */
  maxFeeds: number;
  /** Frames a slow reader may fall behind before its stream ends. */
  maxQueue: number;
  /** Poll interval while a feed is open (ms). */
  pollMs: number;
}

export const defaultHubLimits: HubLimits = {
  recent: 500,
  replay: 200,
  maxFeeds: 16,
  maxQueue: 1000,
  pollMs: 1000,
};

/** Does `event` concern `agent` (its actor or target for audit entries, its caller for LLM calls)? */
export function concerns(event: FleetEvent, agent: string | null): boolean {
  if (agent === null) return true;
  if (event.type === "llm") return event.agent === agent;
  if (event.type === "audit") return event.actor === agent || event.target === agent;
  if (event.type === "blackboard") return event.by === agent;
  return false;
}

/**
 * The dashboard's live feed: the mesh's audit log (operator actions, chat, messages, denials), the
 * proxy's settled LLM calls and the blackboard's committed changes, merged into one stream. Both sources are durable tables read by cursor,
 * polled only while at least one feed is open; the last `recent` events are kept for replay. Each
 * connection is a bounded FeedConnection (a slow reader gets `overflow` and the stream ends).
 */
export class EventHub {
  readonly #ctx: MeshContext;
  readonly #limits: HubLimits;
  readonly #recent: FleetEvent[] = [];
  readonly #feeds = new Set<{ agent: string | null; conn: FeedConnection }>();
  #auditCursor = -1;
  #callCursor = 0;
  #timer: NodeJS.Timeout | undefined;
  #polling = false;

  constructor(ctx: MeshContext, limits: Partial<HubLimits> = {}) {
    this.#ctx = ctx;
    this.#limits = { ...defaultHubLimits, ...limits };
  }

  get full(): boolean {
    return this.#feeds.size >= this.#limits.maxFeeds;
  }

  get maxFeeds(): number {
    return this.#limits.maxFeeds;
  }

  /** Streams to `res`: ready, the replay, then live events until the client leaves. */
  async open(res: ServerResponse, agent: string | null): Promise<void> {
    if (this.#auditCursor < 0)
      this.#auditCursor = Math.max(0, this.#ctx.store.audit.lastId() - this.#limits.recent);
    await this.poll();
    const entry = {
      agent,
      conn: new FeedConnection(res, agent ?? "", this.#limits.maxQueue, () => {
        this.#feeds.delete(entry);
        if (this.#feeds.size === 0) this.#stopTimer();
      }),
    };
    this.#feeds.add(entry);
    entry.conn.send(sseFrame("ready", { type: "ready", agent }));
    const replay = this.#recent.filter((e) => concerns(e, agent)).slice(-this.#limits.replay);
    for (const e of replay) entry.conn.send(sseFrame(e.type, e));
    if (!this.#timer) {
      this.#timer = setInterval(() => void this.poll(), this.#limits.pollMs);
      this.#timer.unref();
    }
    const ping = setInterval(() => entry.conn.send(": ping\n\n"), 15_000);
    ping.unref();
    res.on("close", () => {
      clearInterval(ping);
      entry.conn.close();
    });
  }

  /** One pass over both sources; a proxy that does not answer is skipped until the next pass. */
  async poll(): Promise<void> {
    if (this.#polling) return;
    this.#polling = true;
    try {
      if (this.#ctx.store.db.open) {
        const entries = this.#ctx.store.audit.query({ after: this.#auditCursor, limit: this.#limits.recent });
        for (const a of entries) this.#push({ type: "audit", ...a });
        this.#auditCursor = entries.at(-1)?.id ?? this.#auditCursor;
      }
      const reply = await proxyAdmin(
        this.#ctx,
        ProxyAdminRoutes.calls,
        ProxyAdminRoutes.calls.response[200],
        {
          query: { after: this.#callCursor, limit: 500 },
        },
      ).catch(() => undefined);
      for (const c of reply?.calls ?? []) this.#push({ type: "llm", ...c });
      this.#callCursor = reply?.calls.at(-1)?.id ?? this.#callCursor;
    } finally {
      this.#polling = false;
    }
  }

  /** A blackboard change, pushed by the blackboard's feed as it commits (kept for replay too). */
  blackboard(change: ChangeEvent): void {
    this.#push({ type: "blackboard", ...change });
  }

  close(): void {
    this.#stopTimer();
    for (const f of [...this.#feeds]) f.conn.close();
  }

  #push(event: FleetEvent): void {
    this.#recent.push(event);
    if (this.#recent.length > this.#limits.recent)
      this.#recent.splice(0, this.#recent.length - this.#limits.recent);
    const frame = sseFrame(event.type, event);
    for (const f of this.#feeds) if (concerns(event, f.agent)) f.conn.send(frame);
  }

  #stopTimer(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
