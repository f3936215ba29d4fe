import type { FastifyInstance } from "fastify";
import {
  AGENT_HISTORY_PREVIEW_CHARS,
  type AgentHistory,
  inboxKindSchema,
} from "../../../common/contracts/mesh-api.js";
import { MeshRoutes } from "../../../common/contracts/mesh-routes.js";
import { route } from "../../../common/http/route.js";
import { authorize, permits } from "../../authorize.js";
import { type MeshContext, type MeshModule, requirePrincipal } from "../../context.js";
import type { InboxRow } from "../../store/inbox-repo.js";

/** One history entry from an inbox row, seen from `agent` (payload cut to a preview). */
export function historyEntry(agent: string, row: InboxRow): AgentHistory["entries"][number] {
  const truncated = row.payload.length > AGENT_HISTORY_PREVIEW_CHARS;
  return {
    id: row.id,
    at: row.created_at,
    direction: row.agent === agent ? "in" : "out",
    kind: inboxKindSchema.parse(row.kind),
    from: row.sender,
    to: row.agent,
    topic: row.topic,
    preview: truncated ? row.payload.slice(0, AGENT_HISTORY_PREVIEW_CHARS) : row.payload,
    truncated,
  };
}

/**
 * Who is in the fleet (`list_agents`) and what an agent recently sent and received
 * (`read_agent_history`). Both accept an agent or the operator token. The history rule: the operator,
 * the agent itself, or an agent whose `can_message` allows the target (docs/decisions/mesh.md).
 */
export function fleetModule(): MeshModule {
  return {
    name: "fleet",
    async routes(app: FastifyInstance, ctx: MeshContext) {
      route(app, MeshRoutes.agents, async (req) => {
        const who = requirePrincipal(req.principal);
        const agents = [...ctx.identity.agents.values()]
          .map((a) => ({
            id: a.id,
            role: a.role,
            self: who.kind === "agent" && who.id === a.id,
            can_message: who.kind === "operator" || permits(ctx, who, "can_message", a.id),
          }))
          .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
        return { agents };
      });

      route(app, MeshRoutes.agentHistory, async (req) => {
        const who = requirePrincipal(req.principal);
        const target = req.params.id;
        const self = who.kind === "agent" && who.id === target;
        if (!self) authorize(ctx, who, "can_message", target, "history.read");
        const agent = ctx.identity.agent(target);
        const { limit, before } = req.query;
        const rows = ctx.store.inbox.history(agent.id, before ?? Number.MAX_SAFE_INTEGER, limit + 1);
        const seen = new Set<number>();
        const unique = rows.filter((row) => !seen.has(row.id) && seen.add(row.id));
        const page = unique.slice(0, limit);
        if (who.kind === "agent" && !self)
          ctx.audit({
            actor: who.id,
            action: "history.read",
            target: agent.id,
            outcome: "allowed",
            code: null,
            detail: { entries: page.length },
          });
        return {
          agent: agent.id,
          entries: page.map((row) => historyEntry(agent.id, row)),
          next_before: unique.length > limit ? (page.at(-1)?.id ?? null) : null,
        };
      });
    },
  };
}
