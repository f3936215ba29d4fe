import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { AGENT_PATHS, laneSchema } from "../../../common/contracts/mesh-api.js";
import { encodeCapped } from "../../authorize.js";
import type { MeshContext, MeshModule } from "../../context.js";
import { callAgent, errorText } from "../../delivery/agent-client.js";
import { MeshErrors } from "../../errors.js";
import { preview } from "../../store/audit-repo.js";
import { chatOnce, chatStream } from "./chat.js";
import { costsQuerySchema, costsReplySchema, fetchCosts } from "./costs.js";
import { HealthView } from "./health.js";

const idParams = z.object({ id: z.string().max(64) });
const payloadBody = z.strictObject({
  payload: z.unknown().refine((v) => v !== undefined, "payload is required"),
  lane: laneSchema.default("followup"),
});
const agentStatus = z.object({
  id: z.string(),
  role: z.string(),
  health: z.enum(["up", "down"]),
  detail: z.string(),
  checked_at: z.int(),
  pending: z.int(),
  dead: z.int(),
  last_push_error: z.string().nullable(),
});

/** The operator API used by the CLI and REPL (operator token only). */
export function operatorModule(): MeshModule {
  return {
    name: "operator",
    async routes(app: FastifyInstance, ctx: MeshContext) {
      const r = app.withTypeProvider<ZodTypeProvider>();
      const health = new HealthView(ctx);

      r.get("/v1/status", {
        schema: {
          querystring: z.object({ refresh: z.enum(["0", "1", "true", "false"]).optional() }),
          response: { 200: z.object({ agents: z.array(agentStatus), schema_version: z.int() }) },
        },
        handler: async (req) => {
          const refresh = req.query.refresh === "1" || req.query.refresh === "true";
          const seen = await health.all(refresh);
          const stats = ctx.store.inbox.stats();
          const agents = [...ctx.identity.agents.values()].map((a) => {
            const h = seen.get(a.id);
            const s = stats.get(a.id);
            return {
              id: a.id,
              role: a.role,
              health: h?.up ? ("up" as const) : ("down" as const),
              detail: h?.detail ?? "not probed",
              checked_at: h?.checked_at ?? 0,
              pending: s?.pending ?? 0,
              dead: s?.dead ?? 0,
              last_push_error: ctx.delivery.lastError.get(a.id) ?? null,
            };
          });
          return { agents, schema_version: ctx.store.schemaVersion };
        },
      });

      r.post("/v1/agents/:id/messages", {
        schema: {
          params: idParams,
          body: payloadBody,
          response: { 202: z.object({ id: z.int(), to: z.string() }) },
        },
        handler: async (req, reply) => {
          const agent = ctx.identity.agent(req.params.id);
          const payload = encodeCapped(req.body.payload, ctx.limits.value_bytes);
          const { ids } = ctx.delivery.enqueue([
            {
              agent: agent.id,
              kind: "operator",
              sender: "operator",
              topic: null,
              lane: req.body.lane,
              payload,
            },
          ]);
          ctx.audit({
            actor: "operator",
            action: "message",
            target: agent.id,
            outcome: "ok",
            code: null,
            detail: { id: ids[0], preview: preview(payload) },
          });
          return reply.code(202).send({ id: ids[0] ?? 0, to: agent.id });
        },
      });

      r.post("/v1/agents/:id/redeliver", {
        schema: {
          params: idParams,
          response: { 200: z.object({ id: z.string(), requeued: z.int() }) },
        },
        handler: async (req) => {
          const agent = ctx.identity.agent(req.params.id);
          // Audited by the delivery's onRequeue hook (action inbox.redeliver, actor operator).
          return { id: agent.id, requeued: ctx.delivery.requeue(agent.id, "operator") };
        },
      });

      r.post("/v1/agents/:id/chat", {
        schema: {
          params: idParams,
          body: z.strictObject({
            message: z.string().min(1).max(100_000),
            lane: laneSchema.default("followup"),
            stream: z.boolean().default(false),
          }),
          response: { 200: z.object({ reply: z.string() }) },
        },
        handler: async (req, reply) => {
          const agent = ctx.identity.agent(req.params.id);
          const { message, lane } = req.body;
          const stream = req.body.stream || (req.headers.accept ?? "").includes("text/event-stream");
          ctx.audit({
            actor: "operator",
            action: "chat",
            target: agent.id,
            outcome: "ok",
            code: null,
            detail: { lane, stream, preview: preview(message) },
          });
          if (stream) return chatStream(ctx, agent, { message, lane }, reply);
          return chatOnce(ctx, agent, { message, lane });
        },
      });

      r.post("/v1/broadcast", {
        schema: {
          body: payloadBody,
          response: { 202: z.object({ ids: z.record(z.string(), z.int()), rejected: z.array(z.string()) }) },
        },
        handler: async (req, reply) => {
          const payload = encodeCapped(req.body.payload, ctx.limits.value_bytes);
          const targets = [...ctx.identity.agents.keys()];
          const { ids, skipped } = ctx.delivery.enqueue(
            targets.map((agent) => ({
              agent,
              kind: "broadcast" as const,
              sender: "operator",
              topic: null,
              lane: req.body.lane,
              payload,
            })),
            { skipFull: true },
          );
          const delivered = targets.filter((a) => !skipped.includes(a));
          const byAgent = Object.fromEntries(delivered.map((a, i) => [a, ids[i] ?? 0]));
          ctx.audit({
            actor: "operator",
            action: "broadcast",
            target: "*",
            outcome: skipped.length ? "error" : "ok",
            code: skipped.length ? "OL_ERR_MESH_INBOX_FULL" : null,
            detail: { rejected: skipped, preview: preview(payload) },
          });
          return reply.code(202).send({ ids: byAgent, rejected: skipped });
        },
      });

      r.post("/v1/agents/:id/reset", {
        schema: { params: idParams, response: { 200: z.object({ id: z.string(), reset: z.literal(true) }) } },
        handler: async (req) => {
          const agent = ctx.identity.agent(req.params.id);
          let status: number;
          try {
            const res = await callAgent(agent, AGENT_PATHS.reset, {
              http: ctx.http,
              tokens: ctx.identity,
              timeoutMs: ctx.limits.push_timeout_ms,
              method: "POST",
              body: {},
            });
            status = res.statusCode;
            await res.body.dump();
          } catch (error) {
            ctx.audit({
              actor: "operator",
              action: "reset",
              target: agent.id,
              outcome: "error",
              code: "OL_ERR_MESH_AGENT_UNAVAILABLE",
              detail: null,
            });
            throw MeshErrors.agentUnavailable(agent.id, errorText(error));
          }
          const ok = status >= 200 && status < 300;
          ctx.audit({
            actor: "operator",
            action: "reset",
            target: agent.id,
            outcome: ok ? "ok" : "error",
            code: ok ? null : "OL_ERR_MESH_AGENT_UNAVAILABLE",
            detail: { status },
          });
          if (!ok) throw MeshErrors.agentUnavailable(agent.id, `HTTP ${status}`);
          return { id: agent.id, reset: true as const };
        },
      });

      r.get("/v1/costs", {
        schema: { querystring: costsQuerySchema, response: { 200: costsReplySchema } },
        handler: async (req) => fetchCosts(ctx, req.query.period),
      });

      r.get("/v1/audit", {
        schema: {
          querystring: z.object({
            after: z.coerce.number().int().min(0).default(0),
            limit: z.coerce.number().int().min(1).max(1000).default(100),
            actor: z.string().max(64).optional(),
            outcome: z.enum(["allowed", "denied", "ok", "error"]).optional(),
          }),
          response: {
            200: z.object({
              entries: z.array(
                z.object({
                  id: z.int(),
                  at: z.int(),
                  actor: z.string(),
                  action: z.string(),
                  target: z.string(),
                  outcome: z.string(),
                  code: z.string().nullable(),
                  detail: z.record(z.string(), z.unknown()).nullable(),
                }),
              ),
              next_after: z.int(),
            }),
          },
        },
        handler: async (req) => {
          const entries = ctx.store.audit.query(req.query);
          return { entries, next_after: entries.at(-1)?.id ?? req.query.after };
        },
      });
    },
  };
}
