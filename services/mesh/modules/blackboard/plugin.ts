import type { FastifyInstance, FastifyReply } from "fastify";
import { MeshRoutes } from "../../../common/contracts/mesh-routes.js";
import { route } from "../../../common/http/route.js";
import { sseFrame } from "../../../common/sse.js";
import { type MeshContext, type MeshModule, requireAgent, requirePrincipal } from "../../context.js";
import { prefixProblem } from "../../core/keys.js";
import { MeshErrors } from "../../errors.js";
import { type BoardRow, entryJson } from "../../store/blackboard-repo.js";
import { BlackboardService } from "./service.js";

/**
 * Entries go out as prebuilt JSON text (entryJson splices in the stored value instead of parsing and
 * re-serializing it). The route's response schema still documents the shape; the untyped reply is
 * only how a string body gets past the type provider.
 */
function sendEntry(reply: FastifyReply, code: 200 | 201, row: BoardRow): FastifyReply {
  return reply.code(code).type("application/json; charset=utf-8").send(entryJson(row));
}

/** `If-Match: "3"` or `If-Match: 3` → 3; absent → undefined. */
function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const m = /^(?:W\/)?"?(\d{1,15})"?$/.exec(header.trim());
  if (!m)
    throw MeshErrors.badRequest(
      `If-Match must be a version number, got ${JSON.stringify(header.slice(0, 40))}`,
    );
  return Number(m[1]);
}

function pickVersion(body: number | undefined, header: number | undefined): number | undefined {
  if (body !== undefined && header !== undefined && body !== header) {
    throw MeshErrors.badRequest(`if_version (${body}) and If-Match (${header}) disagree`);
  }
  return body ?? header;
}

/**
 * The operator's live change feed: SSE frames `event: change` with `{key, version, op, by, at}` for every
 * committed change under `prefix` (values are not sent: read the key). Starts with `event: ready`;
 * a reader that falls `watch_feed_queue` frames behind gets `event: overflow` and the stream ends.
 */
function openFeed(service: BlackboardService, prefix: string, reply: FastifyReply): void {
  const problem = prefixProblem(prefix);
  if (problem) throw MeshErrors.badKey(prefix, problem);
  if (service.feed.size >= service.feed.maxFeeds) throw MeshErrors.feedLimit(service.feed.maxFeeds);
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    connection: "keep-alive",
    "x-accel-buffering": "no",
  });
  const feed = service.feed.open(res, prefix);
  const ping = setInterval(() => feed.send(": ping\n\n"), 15_000);
  ping.unref();
  res.on("close", () => {
    clearInterval(ping);
    feed.close();
  });
  res.write(sseFrame("ready", { prefix }));
}

export function blackboardModule(): MeshModule & { service(): BlackboardService } {
  let service: BlackboardService | undefined;
  const get = (): BlackboardService => {
    if (!service) throw new Error("blackboard module used before its routes were registered");
    return service;
  };
  return {
    name: "blackboard",
    service: get,
    async routes(app: FastifyInstance, ctx: MeshContext) {
      service = new BlackboardService(ctx);
      const page = ctx.limits.list_page;

      // Reads that returned only committed data answer without waiting for the open write batch (app.ts onSend).
      route(app, MeshRoutes.blackboardRead, async (req, reply) => {
        const row = get().read(requirePrincipal(req.principal), req.params["*"]);
        req.committedRead = !ctx.store.isDirty(row.key);
        return sendEntry(reply, 200, row);
      });

      route(app, MeshRoutes.blackboardWrite, async (req, reply) => {
        const ifVersion = pickVersion(req.body.if_version, parseIfMatch(req.headers["if-match"]));
        const { row, created } = await get().put(requirePrincipal(req.principal), req.params["*"], {
          value: req.body.value,
          ifVersion,
          ttlS: req.body.ttl_s,
        });
        reply.header("etag", `"${row.version}"`);
        return sendEntry(reply, created ? 201 : 200, row);
      });

      route(app, MeshRoutes.blackboardDelete, async (req) => {
        const ifVersion = pickVersion(req.query.if_version, parseIfMatch(req.headers["if-match"]));
        return {
          ...(await get().delete(requirePrincipal(req.principal), req.params["*"], ifVersion)),
          deleted: true as const,
        };
      });

      route(app, MeshRoutes.blackboardList, async (req) => {
        const limit = req.query.limit ?? page;
        if (limit > page) throw MeshErrors.badRequest(`querystring.limit: must be at most ${page}`);
        const page_ = get().list(requirePrincipal(req.principal), req.query.prefix, req.query.after, limit);
        req.committedRead = !ctx.store.isDirty(req.query.prefix, true);
        return page_;
      });

      route(app, MeshRoutes.blackboardVersions, async (req) => {
        const versions = get().versions(requirePrincipal(req.principal), req.params["*"], req.query.limit);
        req.committedRead = !ctx.store.isDirty(req.params["*"]);
        return { versions };
      });

      route(app, MeshRoutes.watchFeed, async (req, reply) => openFeed(get(), req.query.prefix, reply));
      app.addHook("preClose", async () => service?.feed.closeAll());

      route(app, MeshRoutes.watchAdd, async (req, reply) => {
        const created = get().addWatch(requireAgent(req.principal), req.body.prefix);
        return reply.code(created ? 201 : 200).send({ prefix: req.body.prefix, created });
      });

      route(app, MeshRoutes.watchRemove, async (req) => ({
        prefix: req.query.prefix,
        removed: get().removeWatch(requireAgent(req.principal), req.query.prefix),
      }));

      route(app, MeshRoutes.watchList, async (req) => ({
        watches: ctx.store.watches
          .list(requireAgent(req.principal))
          .map((w) => ({ prefix: w.value, created_at: w.created_at })),
      }));
    },
  };
}
