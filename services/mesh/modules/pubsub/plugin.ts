import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import {
  inboxAckSchema,
  inboxPageSchema,
  publishSchema,
  sendMessageSchema,
} from "../../../common/contracts/mesh-api.js";
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

const topicBody = z.strictObject({ topic: z.string().max(256) });
const topicReply = z.object({ topic: z.string(), created: z.boolean() });

/** Topics, direct messages and the pull side of the inbox (agents only). */
export function pubsubModule(): MeshModule {
  return {
    name: "pubsub",
    start: bootSubscriptions,
    async routes(app: FastifyInstance, ctx: MeshContext) {
      const r = app.withTypeProvider<ZodTypeProvider>();
      const { store, limits, clock, delivery } = ctx;

      r.post("/v1/subscriptions", {
        config: { auth: "agent" },
        schema: { body: topicBody, response: { 200: topicReply, 201: topicReply } },
        handler: async (req, reply) => {
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
        },
      });

      r.delete("/v1/subscriptions", {
        config: { auth: "agent" },
        schema: {
          querystring: topicBody,
          response: { 200: z.object({ topic: z.string(), removed: z.boolean() }) },
        },
        handler: async (req) => {
          const agent = requireAgent(req.principal);
          const removed = store.transaction(() => store.subscriptions.remove(agent, req.query.topic));
          return { topic: req.query.topic, removed };
        },
      });

      r.get("/v1/subscriptions", {
        config: { auth: "agent" },
        schema: { response: { 200: z.object({ topics: z.array(z.string()) }) } },
        handler: async (req) => ({
          topics: store.subscriptions.list(requireAgent(req.principal)).map((s) => s.value),
        }),
      });

      r.post("/v1/publish", {
        config: { auth: "agent" },
        schema: {
          body: publishSchema,
          response: { 202: z.object({ topic: z.string(), queued: z.int(), runs: z.array(z.string()) }) },
        },
        handler: async (req, reply) => {
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
        },
      });

      r.post("/v1/messages", {
        config: { auth: "agent" },
        schema: { body: sendMessageSchema, response: { 202: z.object({ id: z.int(), to: z.string() }) } },
        handler: async (req, reply) => {
          const agent = requireAgent(req.principal);
          const { to, lane } = req.body;
          authorize(ctx, req.principal!, "can_message", to, "message");
          if (!ctx.identity.agents.has(to)) throw MeshErrors.unknownAgent(to);
          const payload = encodeCapped(req.body.payload, limits.value_bytes);
          const { ids } = delivery.enqueue([
            { agent: to, kind: "message", sender: agent, topic: null, lane, payload },
          ]);
          return reply.code(202).send({ id: ids[0] ?? 0, to });
        },
      });

      r.get("/v1/inbox", {
        config: { auth: "agent" },
        schema: {
          querystring: z.object({
            after: z.coerce.number().int().min(0).default(0),
            limit: z.coerce.number().int().min(1).max(500).default(100),
          }),
          response: { 200: inboxPageSchema },
        },
        handler: async (req) => {
          const rows = store.inbox.pull(requireAgent(req.principal), req.query.after, req.query.limit);
          return { messages: rows.map(messageFromRow), next_after: rows.at(-1)?.id ?? req.query.after };
        },
      });

      r.post("/v1/inbox/ack", {
        config: { auth: "agent" },
        schema: { body: inboxAckSchema, response: { 200: z.object({ acked: z.int() }) } },
        handler: async (req) => {
          const agent = requireAgent(req.principal);
          const acked = store.transaction(() => store.inbox.markDelivered(agent, req.body.ids, clock.now()));
          return { acked };
        },
      });
    },
  };
}
