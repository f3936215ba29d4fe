import { describe, expect, it } from "vitest";
import { compile } from "../../../generator/render/index.js";
import { type PlanSide, planChanges } from "../../../generator/render/plan.js";
import { type FleetInput, makeFleet, oneAgent } from "../../fixtures/render/fleet.js";

type Agents = { agents: Record<string, Record<string, unknown>> };
function side(input: FleetInput): PlanSide {
  const m = compile(makeFleet(input), { toolVersion: "0.1.0" });
  return {
    compose: m.compose,
    proxy: JSON.parse(m.files.get("compose/egress-proxy/config.json")!),
    mesh: JSON.parse(m.files.get("compose/mesh/config.json")!),
  };
}

describe("plan", () => {
  it("reports nothing when nothing changed", () => {
    expect(planChanges(side(oneAgent()), side(oneAgent()))).toEqual([]);
  });

  it("lists security-relevant changes first: egress hosts, permissions, budgets, new agent and secret", () => {
    const next = oneAgent();
    const agents = (next.agents as Agents).agents;
    agents.researcher!.allowed_hosts = ["api.github.com", "*.wikipedia.org", "evil.example"];
    agents.researcher!.budget = { daily_usd: 50, monthly_usd: 200 };
    agents.helper = { role: "helper" };
    (next.permissions as Record<string, Record<string, string[]>>).researcher!.can_message = ["helper"];
    const changes = planChanges(side(oneAgent()), side(next));
    const kinds = changes.map((c) => `${c.security ? "!" : "~"} ${c.kind} ${c.target}`);
    expect(kinds).toEqual(
      expect.arrayContaining([
        "! egress-host-added agent-researcher",
        "! budget-increased agent-researcher",
        "! permission-widened agent-researcher",
        "! service-added agent-helper",
        "! secret-added agent_token_helper",
        "~ config-reloaded mesh",
        "~ config-reloaded egress-proxy",
      ]),
    );
    expect(kinds).not.toContain("~ service-recreated mesh");
    expect(kinds).not.toContain("~ service-recreated egress-proxy");
    const firstOther = changes.findIndex((c) => !c.security);
    expect(changes.slice(firstOther).every((c) => !c.security)).toBe(true);
    expect(changes.find((c) => c.kind === "egress-host-added")?.detail).toBe("may now reach evil.example");
  });

  it("flags a newly published port and a budget decrease as not security-relevant", () => {
    const next = oneAgent();
    (next.agents as Agents).agents.researcher!.budget = { daily_usd: 1, monthly_usd: 20 };
    next.mesh = { mesh: { host: "0.0.0.0" } };
    const changes = planChanges(side(oneAgent()), side(next));
    expect(changes.filter((c) => c.kind === "port-published").map((c) => c.detail)).toEqual([
      "publishes 0.0.0.0:8420:8420",
    ]);
    expect(changes.find((c) => c.kind === "budget-decreased")?.security).toBe(false);
  });
});
