import type { FastifyInstance } from "fastify";
import { AgentRoutes } from "../../../common/contracts/agent-routes.js";
import { MeshRoutes } from "../../../common/contracts/mesh-routes.js";
import { route } from "../../../common/http/route.js";
import { encodeCapped } from "../../authorize.js";
import type { MeshContext, MeshModule } from "../../context.js";
import { callAgent, errorText } from "../../delivery/agent-client.js";
import { MeshErrors } from "../../errors.js";
import { preview } from "../../store/audit-repo.js";
import { chatOnce, chatStream } from "./chat.js";
import { fetchCosts } from "./costs.js";
import { HealthView } from "./health.js";
import { registerMcpRelay } from "./mcp.js";
import { reloadFleet } from "./reload.js";

/** The operator API used by the CLI and REPL (operator token only). */
export function operatorModule(): MeshModule {
  return {
    name: "operator",
    async routes(app: FastifyInstance, ctx: MeshContext) {
      const health = new HealthView(ctx);

      route(app, MeshRoutes.status, async (req) => {
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
            state: h?.up ? (h.state ?? null) : null,
            queue: h?.up ? (h.queue ?? null) : null,
          };
        });
        return { agents, schema_version: ctx.store.schemaVersion };
      });

      route(app, MeshRoutes.operatorMessage, async (req, reply) => {
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
      });

      route(app, MeshRoutes.redeliver, async (req) => {
        const agent = ctx.identity.agent(req.params.id);
        // Audited by the delivery's onRequeue hook (action inbox.redeliver, actor operator).
        return { id: agent.id, requeued: ctx.delivery.requeue(agent.id, "operator") };
      });

      route(app, MeshRoutes.chat, async (req, reply) => {
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
        if (stream) {
          await chatStream(ctx, agent, { message, lane }, reply);
          return reply; // hijacked: the events went straight to the socket
        }
        return chatOnce(ctx, agent, { message, lane });
      });

      route(app, MeshRoutes.broadcast, async (req, reply) => {
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
          code: skipped.length ? MeshErrors.inboxFull.code : null,
          detail: { rejected: skipped, preview: preview(payload) },
        });
        return reply.code(202).send({ ids: byAgent, rejected: skipped });
      });

      route(app, MeshRoutes.reset, async (req) => {
        const agent = ctx.identity.agent(req.params.id);
        let status: number;
        try {
          const res = await callAgent(agent, AgentRoutes.reset, {
            http: ctx.http,
            tokens: ctx.identity,
            timeoutMs: ctx.limits.push_timeout_ms,
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
            code: MeshErrors.agentUnavailable.code,
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
          code: ok ? null : MeshErrors.agentUnavailable.code,
          detail: { status },
        });
        if (!ok) throw MeshErrors.agentUnavailable(agent.id, `HTTP ${status}`);
        return { id: agent.id, reset: true as const };
      });

      registerMcpRelay(app, ctx);

      route(app, MeshRoutes.costs, async (req) => fetchCosts(ctx, req.query.period));
      route(app, MeshRoutes.reload, async () => reloadFleet(ctx));

      route(app, MeshRoutes.audit, async (req) => {
        const entries = ctx.store.audit.query(req.query);
        return { entries, next_after: entries.at(-1)?.id ?? req.query.after };
      });
    },
  };
}
