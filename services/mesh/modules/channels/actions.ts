import { AgentRoutes } from "../../../common/contracts/agent-routes.js";
import type { MeshContext } from "../../context.js";
import { callAgent } from "../../delivery/agent-client.js";
import { MeshErrors } from "../../errors.js";
import { chatOnce } from "../operator/chat.js";
import { fetchCosts } from "../operator/costs.js";
import type { ChannelActions } from "./ingress.js";

const dollars = (v: unknown) => (typeof v === "number" ? `$${v.toFixed(2)}` : "?");

/** The fleet operations a chat user may trigger, on the same paths the operator API uses. */
export function meshActions(ctx: MeshContext, channel: string): ChannelActions {
  const agent = (id: string) => ctx.identity.agent(id);
  const audit = (action: string, target: string, detail: Record<string, unknown>) =>
    ctx.audit({ actor: `channel:${channel}`, action, target, outcome: "ok", code: null, detail });
  return {
    async chat(id, message, from) {
      audit("channel.chat", id, { from });
      const { reply } = await chatOnce(ctx, agent(id), { message, lane: "followup" }, from);
      return reply;
    },
    async steer(id, message, from) {
      audit("channel.steer", id, { from });
      await chatOnce(ctx, agent(id), { message, lane: "steer" }, from);
    },
    async broadcast(message, from) {
      const targets = [...ctx.identity.agents.keys()];
      const { skipped } = ctx.delivery.enqueue(
        targets.map((a) => ({
          agent: a,
          kind: "broadcast" as const,
          sender: from,
          topic: null,
          lane: "followup" as const,
          payload: message,
        })),
        { skipFull: true },
      );
      audit("channel.broadcast", "*", { from, rejected: skipped });
      return targets.length - skipped.length;
    },
    async reset(id) {
      const res = await callAgent(agent(id), AgentRoutes.reset, {
        http: ctx.http,
        tokens: ctx.identity,
        timeoutMs: ctx.limits.push_timeout_ms,
        body: {},
      });
      await res.body.dump();
      if (res.statusCode >= 300) throw MeshErrors.agentUnavailable(id, `HTTP ${res.statusCode}`);
      audit("channel.reset", id, {});
    },
    async costs() {
      const report = await fetchCosts(ctx, "today");
      const agents = Object.entries((report.agents ?? {}) as Record<string, { today_usd?: unknown }>);
      if (agents.length === 0) return "No spend recorded today.";
      return agents.map(([id, a]) => `${id}: ${dollars(a.today_usd)} today`).join("\n");
    },
    async status() {
      const stats = ctx.store.inbox.stats();
      return [...ctx.identity.agents.values()]
        .map((a) => `${a.id} (${a.role}): ${stats.get(a.id)?.pending ?? 0} pending`)
        .join("\n");
    },
  };
}
