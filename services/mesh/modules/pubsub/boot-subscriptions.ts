import type { MeshContext } from "../../context.js";
import { topicProblem } from "../../core/keys.js";

/** A can_subscribe pattern that names one topic (no `*`, `**` or `?`). */
export const isLiteralTopic = (pattern: string): boolean => !/[*?]/.test(pattern);

/**
 * At boot, each agent is subscribed to every topic its can_subscribe names literally (idempotent: an
 * existing row is kept). Glob-granted topics stay opt-in (the agent's subscribe_topic tool). The
 * per-agent limit still applies; topics over it (or not valid topics) are skipped and audited.
 */
export function subscribeLiteralTopics(ctx: MeshContext): { added: number; skipped: string[] } {
  const { store, limits, clock } = ctx;
  let added = 0;
  const skipped: string[] = [];
  store.transaction(() => {
    for (const id of ctx.identity.agents.keys()) {
      const patterns = ctx.config.agents[id]?.permissions.can_subscribe ?? [];
      for (const topic of patterns.filter(isLiteralTopic)) {
        const problem = topicProblem(topic);
        if (problem) {
          skipped.push(`${id}: "${topic}": ${problem}`);
          continue;
        }
        const exists = store.subscriptions.list(id).some((s) => s.value === topic);
        if (exists) continue;
        if (store.subscriptions.count(id) >= limits.subscriptions_per_agent) {
          skipped.push(
            `${id}: "${topic}": over the limit of ${limits.subscriptions_per_agent} subscriptions`,
          );
          continue;
        }
        if (store.subscriptions.add(id, topic, clock.now())) added++;
      }
    }
  });
  return { added, skipped };
}

/** Module start hook: subscribe, then audit what was added or skipped (nothing when all existed). */
export function bootSubscriptions(ctx: MeshContext): void {
  const { added, skipped } = subscribeLiteralTopics(ctx);
  if (added === 0 && skipped.length === 0) return;
  ctx.audit({
    actor: "mesh",
    action: "subscriptions.boot",
    target: "*",
    outcome: skipped.length > 0 ? "error" : "ok",
    code: null,
    detail: { added, skipped: skipped.slice(0, 50) },
  });
}
