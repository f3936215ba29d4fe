import type { Finding, LintContext, Rule } from "../types.js";

/** Strict mode: every agent states its budget explicitly instead of inheriting the default. */
export const ol002: Rule = {
  id: "OL002",
  name: "agent-without-budget",
  check(ctx: LintContext): Finding[] {
    if (!ctx.strict) return [];
    const agents = (ctx.rawAgents as { agents?: Record<string, unknown> } | undefined)?.agents;
    if (!agents || typeof agents !== "object") return [];
    const out: Finding[] = [];
    for (const [id, agent] of Object.entries(agents)) {
      const budget =
        agent !== null && typeof agent === "object" ? (agent as Record<string, unknown>).budget : undefined;
      if (budget === undefined || budget === null) {
        out.push({
          rule: "OL002",
          severity: "error",
          path: `config/agents.yaml#/agents/${id}`,
          message: `agent ${id} has no explicit budget (it runs on the default $10/day, $200/month)`,
          fix: `add budget: { daily_usd: …, monthly_usd: … } to agents.${id} in config/agents.yaml`,
        });
      }
    }
    return out;
  },
};
