import type { BlackboardEntry, WatchEvent } from "../../../common/contracts/mesh-api.js";
import { authorize, encodeCapped, permits } from "../../authorize.js";
import type { MeshContext } from "../../context.js";
import { isAppendOnly, keyProblem, prefixProblem } from "../../core/keys.js";
import { MeshErrors } from "../../errors.js";
import { type Principal, principalName } from "../../identity.js";
import { type BoardRow, entryFromRow, isLive } from "../../store/blackboard-repo.js";
import type { NewMessage } from "../../store/inbox-repo.js";
import { FeedHub } from "./feed.js";
import { WatchIndex } from "./watch-index.js";

const TOMBSTONE_KEEP_MS = 24 * 3600 * 1000;
const SCAN_FACTOR = 10;

export function checkKey(key: string): void {
  const problem = keyProblem(key);
  if (problem) throw MeshErrors.badKey(key, problem);
}

/**
 * Blackboard semantics over the store: permission checks, CAS, append-only `history/`, TTL, key
 * quotas and watch fan-out. Each write and the watch events it causes commit in one transaction.
 */
export class BlackboardService {
  readonly watches = new WatchIndex();
  /** The operator's live change feeds (GET /v1/watch); fed only after a change has committed. */
  readonly feed: FeedHub;

  private readonly ctx: MeshContext;

  constructor(ctx: MeshContext) {
    this.ctx = ctx;
    this.feed = new FeedHub(ctx.limits.watch_feeds, ctx.limits.watch_feed_queue);
    for (const w of ctx.store.watches.all()) this.watches.add(w.agent, w.value);
  }

  get(who: Principal, key: string): BlackboardEntry {
    return entryFromRow(this.read(who, key));
  }

  /** The live row of `key` (serialize with `entryJson`), or 404. */
  read(who: Principal, key: string): BoardRow {
    checkKey(key);
    authorize(this.ctx, who, "blackboard_read", key, "blackboard.read");
    const row = this.ctx.store.blackboard.get(key);
    if (!isLive(row, this.ctx.clock.now())) throw MeshErrors.notFound(`blackboard key ${key}`);
    return row;
  }

  /** Writes `key`; returns the row as stored (serialize with `entryJson`) and whether it was created. */
  async put(
    who: Principal,
    key: string,
    input: { value: unknown; ifVersion?: number | undefined; ttlS?: number | undefined },
  ): Promise<{ row: BoardRow; created: boolean }> {
    const { ctx } = this;
    checkKey(key);
    authorize(ctx, who, "blackboard_write", key, "blackboard.write");
    const value = encodeCapped(input.value, ctx.limits.value_bytes);
    if (input.ttlS !== undefined && input.ttlS > ctx.limits.max_ttl_s) {
      throw MeshErrors.badRequest(`ttl_s ${input.ttlS} is above the limit of ${ctx.limits.max_ttl_s}`);
    }
    if (input.ttlS !== undefined && isAppendOnly(key)) throw MeshErrors.appendOnly(key);
    const by = principalName(who);
    const result = await ctx.store.write(() => {
      const now = ctx.clock.now();
      const row = ctx.store.blackboard.get(key);
      const live = isLive(row, now);
      const current = live ? row.version : 0;
      if (input.ifVersion !== undefined && input.ifVersion !== current) {
        throw MeshErrors.versionConflict(key, input.ifVersion, current);
      }
      if (live && isAppendOnly(key)) throw MeshErrors.appendOnly(key);
      if (
        !live &&
        who.kind === "agent" &&
        ctx.store.blackboard.countOwned(who.id) >= ctx.limits.keys_per_agent
      ) {
        throw MeshErrors.keyLimit(who.id, ctx.limits.keys_per_agent);
      }
      const stored: BoardRow = {
        key,
        value,
        version: (row?.version ?? 0) + 1,
        owner: live ? row.owner : by,
        updated_by: by,
        created_at: live ? row.created_at : now,
        updated_at: now,
        expires_at: input.ttlS === undefined ? null : now + input.ttlS * 1000,
        deleted: 0,
      };
      ctx.store.blackboard.put({
        key,
        value,
        version: stored.version,
        owner: stored.owner,
        by,
        now,
        createdAt: stored.created_at,
        expiresAt: stored.expires_at,
        keepVersions: ctx.limits.versions_per_key,
      });
      this.#notify(key, stored.version, "put", by);
      ctx.store.markDirty(key);
      return { row: stored, created: !live };
    });
    this.feed.publish({ key, version: result.row.version, op: "put", by, at: result.row.updated_at });
    return result;
  }

  async delete(who: Principal, key: string, ifVersion?: number): Promise<{ key: string; version: number }> {
    const { ctx } = this;
    checkKey(key);
    authorize(ctx, who, "blackboard_write", key, "blackboard.delete");
    if (isAppendOnly(key)) throw MeshErrors.appendOnly(key);
    const by = principalName(who);
    const now = ctx.clock.now();
    const result = await ctx.store.write(() => {
      const row = ctx.store.blackboard.get(key);
      if (!isLive(row, now)) throw MeshErrors.notFound(`blackboard key ${key}`);
      if (ifVersion !== undefined && ifVersion !== row.version)
        throw MeshErrors.versionConflict(key, ifVersion, row.version);
      const version = row.version + 1;
      ctx.store.blackboard.tombstone(key, version, by, now, ctx.limits.versions_per_key);
      this.#notify(key, version, "delete", by);
      ctx.store.markDirty(key);
      return { key, version };
    });
    this.feed.publish({ key, version: result.version, op: "delete", by, at: now });
    return result;
  }

  /** One page of readable live entries under `prefix`; `next_after` is null when the range is exhausted. */
  list(
    who: Principal,
    prefix: string,
    after: string,
    limit: number,
  ): { entries: BlackboardEntry[]; next_after: string | null } {
    const problem = prefixProblem(prefix);
    if (problem) throw MeshErrors.badKey(prefix, problem);
    const now = this.ctx.clock.now();
    const entries: BlackboardEntry[] = [];
    let cursor = after;
    let scanned = 0;
    while (entries.length < limit && scanned < limit * SCAN_FACTOR) {
      const rows = this.ctx.store.blackboard.scan(prefix, cursor, limit);
      for (const row of rows) {
        scanned++;
        cursor = row.key;
        if (isLive(row, now) && permits(this.ctx, who, "blackboard_read", row.key))
          entries.push(entryFromRow(row));
        if (entries.length === limit) break;
      }
      if (rows.length < limit) return { entries, next_after: entries.length === limit ? cursor : null };
    }
    return { entries, next_after: cursor };
  }

  versions(who: Principal, key: string, limit: number) {
    checkKey(key);
    authorize(this.ctx, who, "blackboard_read", key, "blackboard.versions");
    const rows = this.ctx.store.blackboard.versions(key, limit);
    if (rows.length === 0) throw MeshErrors.notFound(`blackboard key ${key}`);
    return rows.map((r) => ({ ...r, value: r.value === null ? null : JSON.parse(r.value) }));
  }

  addWatch(agent: string, prefix: string): boolean {
    const problem = prefixProblem(prefix);
    if (problem || prefix.length === 0) throw MeshErrors.badKey(prefix, problem ?? "empty prefix");
    // A watch under which no key is readable would never deliver anything: refuse it instead of accepting it.
    if (!this.ctx.identity.agent(agent).readPrefixes.some((re) => re.test(prefix)))
      throw MeshErrors.denied(
        `blackboard_read allows no key under the prefix "${prefix}", so it cannot be watched`,
      );
    const { store, limits, clock } = this.ctx;
    const added = store.transaction(() => {
      if (
        store.watches.count(agent) >= limits.watches_per_agent &&
        !store.watches.list(agent).some((w) => w.value === prefix)
      ) {
        throw MeshErrors.watchLimit(agent, limits.watches_per_agent);
      }
      return store.watches.add(agent, prefix, clock.now());
    });
    this.watches.add(agent, prefix);
    return added;
  }

  removeWatch(agent: string, prefix: string): boolean {
    const removed = this.ctx.store.transaction(() => this.ctx.store.watches.remove(agent, prefix));
    this.watches.remove(agent, prefix);
    return removed;
  }

  /** TTL GC: purges up to `batch` expired keys (notifying watchers) and old tombstones. */
  collect(batch: number): number {
    const { store, clock } = this.ctx;
    const now = clock.now();
    const { expired, n } = store.transaction(() => {
      const expired = store.blackboard.expired(now, batch);
      for (const row of expired) {
        store.blackboard.purge(row.key);
        if (row.deleted === 0) this.#notify(row.key, row.version, "expire", "mesh");
      }
      const tombstones = store.blackboard.tombstonesBefore(now - TOMBSTONE_KEEP_MS, batch);
      for (const row of tombstones) store.blackboard.purge(row.key);
      return { expired, n: expired.length + tombstones.length };
    });
    for (const row of expired)
      if (row.deleted === 0)
        this.feed.publish({ key: row.key, version: row.version, op: "expire", by: "mesh", at: now });
    return n;
  }

  /** Queues a watch event for every watcher (other than the writer) allowed to read `key`. */
  #notify(key: string, version: number, op: WatchEvent["op"], by: string): void {
    const watchers = this.watches.watchersOf(key);
    if (watchers.size === 0) return;
    const messages: NewMessage[] = [];
    for (const [agent, prefix] of watchers) {
      if (agent === by || !this.ctx.identity.agents.has(agent)) continue;
      if (!permits(this.ctx, { kind: "agent", id: agent }, "blackboard_read", key)) continue;
      const event: WatchEvent = { key, version, op, by, prefix };
      messages.push({
        agent,
        kind: "watch",
        sender: "mesh",
        topic: key,
        lane: "followup",
        payload: JSON.stringify(event),
      });
    }
    if (messages.length === 0) return;
    const { skipped } = this.ctx.delivery.enqueue(messages, { skipFull: true });
    for (const agent of skipped) {
      this.ctx.audit({
        actor: "mesh",
        action: "watch.overflow",
        target: key,
        outcome: "error",
        code: MeshErrors.inboxFull.code,
        detail: { agent, version, op },
      });
    }
  }
}
