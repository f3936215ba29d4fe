import { unimplementedFields } from "../../config/service-checks.js";
import type { Finding, LintContext, Rule } from "../types.js";

/** A config field the product does not implement yet is an error, never silently accepted. */
export const ol013: Rule = {
  id: "OL013",
  name: "unimplemented-field",
  check(ctx: LintContext): Finding[] {
    const agents = (ctx.rawAgents as { agents?: Record<string, unknown> } | undefined)?.agents;
    if (!agents || typeof agents !== "object") return [];
    return Object.entries(agents).flatMap(([id, agent]) =>
      unimplementedFields(agent).map(({ path, why }) => ({
        rule: "OL013",
        severity: "error" as const,
        path: `config/agents.yaml#/agents/${id}/${path.join("/")}`,
        message: `agents.${id}.${path.join(".")} is not supported: ${why}`,
        fix: `remove agents.${id}.${path.join(".")} from config/agents.yaml`,
      })),
    );
  },
};
