import type { FastifyInstance } from "fastify";
import { MeshRoutes } from "../../../common/contracts/mesh-routes.js";
import { route } from "../../../common/http/route.js";
import { authorize, encodeCapped, permits } from "../../authorize.js";
import { type MeshContext, type MeshModule, requireAgent } from "../../context.js";
import { topicProblem } from "../../core/keys.js";
import { MeshErrors } from "../../errors.js";
import { messageFromRow } from "../../store/inbox-repo.js";
import { bootSubscriptions } from "./boot-subscriptions.js";

function checkTopic(topic: string): void {
  const problem = topicProblem(topic);
  if (problem) throw MeshErrors.badTopic(topic, problem);
}

/** Topics, direct messages and the pull side of the inbox (agents only). */
export function pubsubModule(): MeshModule {
  return {
    name: "pubsub",
    start: bootSubscriptions,
    async routes(app: FastifyInstance, ctx: MeshContext) {
      const { store, limits, clock, delivery } = ctx;

      route(app, MeshRoutes.subscribe, async (req, reply) => {
        const agent = requireAgent(req.principal);
        const { topic } = req.body;
        checkTopic(topic);
        authorize(ctx, req.principal!, "can_subscribe", topic, "subscribe");
        const created = store.transaction(() => {
          const existing = store.subscriptions.list(agent).some((s) => s.value === topic);
          if (!existing && store.subscriptions.count(agent) >= limits.subscriptions_per_agent) {
            throw MeshErrors.subscriptionLimit(agent, limits.subscriptions_per_agent);
          }
          return store.subscriptions.add(agent, topic, clock.now());
        });
        return reply.code(created ? 201 : 200).send({ topic, created });
      });

      route(app, MeshRoutes.unsubscribe, async (req) => {
        const agent = requireAgent(req.principal);
        const removed = store.transaction(() => store.subscriptions.remove(agent, req.query.topic));
        return { topic: req.query.topic, removed };
      });

      route(app, MeshRoutes.subscriptions, async (req) => ({
        topics: store.subscriptions.list(requireAgent(req.principal)).map((s) => s.value),
      }));

      route(app, MeshRoutes.publish, async (req, reply) => {
        const agent = requireAgent(req.principal);
        const { topic, lane } = req.body;
        checkTopic(topic);
        authorize(ctx, req.principal!, "can_publish", topic, "publish");
        const payload = encodeCapped(req.body.payload, limits.value_bytes);
        // Fan out to subscribers whose current permissions still allow the topic (config may have changed).
        const targets = store.subscriptions
          .agentsFor(topic)
          .filter((a) => a !== agent && ctx.identity.agents.has(a))
          .filter((a) => permits(ctx, { kind: "agent", id: a }, "can_subscribe", topic));
        // Inbox rows and whatever listeners start (workflow runs) commit in one transaction.
        const { queued, runs } = store.transaction(() => {
          const { ids } = delivery.enqueue(
            targets.map((to) => ({
              agent: to,
              kind: "publish" as const,
              sender: agent,
              topic,
              lane,
              payload,
            })),
          );
          return {
            queued: ids.length,
            runs: ctx.published.emit({ topic, from: agent, payload: req.body.payload }),
          };
        });
        return reply.code(202).send({ topic, queued, runs });
      });

      route(app, MeshRoutes.sendMessage, async (req, reply) => {
        const agent = requireAgent(req.principal);
        const { to, lane } = req.body;
        authorize(ctx, req.principal!, "can_message", to, "message");
        if (!ctx.identity.agents.has(to)) throw MeshErrors.unknownAgent(to);
        const payload = encodeCapped(req.body.payload, limits.value_bytes);
        const { ids } = delivery.enqueue([
          { agent: to, kind: "message", sender: agent, topic: null, lane, payload },
        ]);
        return reply.code(202).send({ id: ids[0] ?? 0, to });
      });

      route(app, MeshRoutes.inbox, async (req) => {
        const rows = store.inbox.pull(requireAgent(req.principal), req.query.after, req.query.limit);
        return { messages: rows.map(messageFromRow), next_after: rows.at(-1)?.id ?? req.query.after };
      });

      route(app, MeshRoutes.inboxAck, async (req) => {
        const agent = requireAgent(req.principal);
        const acked = store.transaction(() => store.inbox.markDelivered(agent, req.body.ids, clock.now()));
        return { acked };
      });
    },
  };
}
