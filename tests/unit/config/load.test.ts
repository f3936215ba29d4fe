import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { loadFleet } from "../../../generator/config/load.js";
import { BASE_AGENTS } from "./bad-cases.js";
import {
  cleanupFleets,
  loadError,
  makeFleet,
  SEED_FLEET,
  snapshotTree,
  supportedSeedFleet,
  TEST_MASTER_KEY,
} from "./helpers.js";

afterEach(cleanupFleets);

describe("loadFleet: the seed README's examples load verbatim", () => {
  test("but for the two fields this release refuses, each named with file:line (never silently ignored)", async () => {
    const error = await loadError(SEED_FLEET);
    expect(error.issues.map((i) => `${i.file}:${i.line}:${i.col} ${i.path}`)).toEqual([
      "config/agents.yaml:7:17 agents.researcher.skills_dir",
      "config/agents.yaml:9:22 agents.researcher.browser_backend",
    ]);
    expect(error.issues[0]?.message).toMatch(/^not supported: custom skills are not available/);
  });

  test("agents, permissions, mesh, workflow, watchers and PROJECT.md", async () => {
    // Given the seed's example files (tests/fixtures/config/seed) less the refused fields
    const seed = supportedSeedFleet();
    const before = snapshotTree(seed);
    // When the fleet is loaded
    const fleet = await loadFleet(seed);
    // Then everything is there, sorted by id, and nothing was written
    expect(fleet.agents.map((a) => a.id)).toEqual(["orchestrator", "qualify", "research", "researcher"]);
    const researcher = fleet.agents.find((a) => a.id === "researcher");
    expect(researcher).toMatchObject({
      role: "research",
      model: "openai/gpt-4o-mini",
      system_prompt: "You are a research specialist...",
      resources: { memory_limit: "512m", cpu_limit: 0.5 },
      budget: { daily_usd: 5, monthly_usd: 100 },
      permissions: {
        can_message: ["orchestrator"],
        can_publish: ["research_complete"],
        can_subscribe: ["new_lead"],
        blackboard_read: ["tasks/*", "context/*"],
        blackboard_write: ["context/prospect_*"],
        allowed_apis: ["llm", "brave_search"],
      },
    });
    expect(
      fleet.agents.find((a) => a.id === "research")?.mcp_servers.map((s) => [s.name, s.command, s.args]),
    ).toEqual([
      ["filesystem", "mcp-server-filesystem", ["/data"]],
      ["database", "mcp-server-sqlite", ["--db", "/data/research.db"]],
    ]);
    expect(fleet.mesh.mesh).toEqual({ host: "0.0.0.0", port: 8420 });
    expect(fleet.mesh.llm).toEqual({
      default_model: "openai/gpt-4o-mini",
      embedding_model: "text-embedding-3-small",
      max_tokens: 4096,
      temperature: 0.7,
    });
    expect(fleet.workflows).toHaveLength(1);
    expect(fleet.workflows[0]).toMatchObject({
      name: "prospect_pipeline",
      trigger: "new_prospect",
      timeout: 600,
      steps: [
        { id: "research", agent: "research", task_type: "research_prospect", input_from: "trigger.payload" },
        {
          id: "qualify",
          agent: "qualify",
          depends_on: ["research"],
          condition: "research.result.score >= 5",
        },
      ],
    });
    expect(fleet.watchers).toEqual([
      {
        path: "/data/inbox",
        pattern: "*.csv",
        agent: "researcher",
        message: "New prospect list uploaded: {filename}. Begin research.",
        interval: "10s",
      },
    ]);
    expect(fleet.project).toContain("## Hard Constraints");
    expect(fleet.env).toBeUndefined();
    expect(snapshotTree(seed)).toBe(before);
  });

  test("the seed's .env example loads once a master key is added", async () => {
    const example = readFileSync(join(SEED_FLEET, "env.example"), "utf8");
    const root = makeFleet(
      { ".env": `OPENLEGION_MASTER_KEY=${TEST_MASTER_KEY}\n${example}` },
      supportedSeedFleet(),
    );
    const fleet = await loadFleet(root, { requireEnv: true });
    expect(fleet.env?.OPENLEGION_LOG_FORMAT).toBe("text");
    expect(fleet.env?.OPENLEGION_CRED_OPENAI_API_KEY).toBe("sk-...");
  });
});

describe("loadFleet: defaults are the seed's", () => {
  test("an agent with no settings gets 512m, 0.5 CPU, $10/day, $200/month and the llm defaults; deny-all permissions", async () => {
    // Given an agents.yaml with one bare agent and no other file
    const root = makeFleet({ "config/agents.yaml": "agents:\n  solo: {}\n" });
    // When it is loaded
    const fleet = await loadFleet(root);
    // Then the seed's defaults apply
    expect(fleet.agents).toEqual([
      {
        id: "solo",
        role: "assistant",
        model: "openai/gpt-4o-mini",
        max_tokens: 4096,
        temperature: 0.7,
        fallback_models: [],
        system_prompt: "",
        resources: { memory_limit: "512m", cpu_limit: 0.5, pids_limit: 256 },
        budget: { daily_usd: 10, monthly_usd: 200 },
        mcp_servers: [],
        allowed_hosts: [],
        env: {},
        permissions: {
          can_message: [],
          can_publish: [],
          can_subscribe: [],
          blackboard_read: [],
          blackboard_write: [],
          can_schedule: false,
          allowed_apis: [],
        },
      },
    ]);
    expect(fleet.mesh.mesh).toEqual({ host: "127.0.0.1", port: 8420 });
    expect(fleet.mesh.egress.subnet_pool).toBe("10.231.0.0/16");
    expect(fleet.workflows).toEqual([]);
    expect(fleet.watchers).toEqual([]);
    expect(fleet.project).toBe("");
  });

  test("mesh.yaml llm defaults fill model, max_tokens and temperature; an agent's own values win", async () => {
    const root = makeFleet({
      "config/agents.yaml":
        "agents:\n  a: {}\n  b:\n    model: anthropic/claude-sonnet-4-5\n    max_tokens: 100\n    temperature: 0\n",
      "config/mesh.yaml":
        "llm:\n  default_model: gemini/gemini-2.5-flash\n  max_tokens: 2048\n  temperature: 0.2\n",
    });
    const fleet = await loadFleet(root);
    expect(fleet.agents.map((a) => [a.id, a.model, a.max_tokens, a.temperature])).toEqual([
      ["a", "gemini/gemini-2.5-flash", 2048, 0.2],
      ["b", "anthropic/claude-sonnet-4-5", 100, 0],
    ]);
  });
});

describe("loadFleet: YAML conveniences", () => {
  test("merge keys share settings between agents, and top-level x- keys may hold anchors", async () => {
    const root = makeFleet({
      "config/agents.yaml": [
        "x-small: &small",
        "  resources: { memory_limit: 256m, cpu_limit: 0.25 }",
        "  budget: { daily_usd: 1 }",
        "agents:",
        "  a:",
        "    <<: *small",
        "    role: first",
        "  b:",
        "    <<: *small",
        "    budget: { daily_usd: 2 }",
        "",
      ].join("\n"),
    });
    const fleet = await loadFleet(root);
    expect(fleet.agents.map((a) => [a.id, a.role, a.resources.memory_limit, a.budget.daily_usd])).toEqual([
      ["a", "first", "256m", 1],
      ["b", "assistant", "256m", 2],
    ]);
  });

  test("an error inside merged settings points at the anchor's text", async () => {
    const root = makeFleet({
      "config/agents.yaml": "x-base: &base\n  resources: { cpu_limit: 0 }\nagents:\n  a:\n    <<: *base\n",
    });
    const error = await loadError(root);
    expect(error.issues.map((i) => `${i.line}:${i.col} ${i.path}`)).toEqual([
      "2:27 agents.a.resources.cpu_limit",
    ]);
  });

  test("CRLF line endings and a UTF-8 BOM load like plain LF", async () => {
    const root = makeFleet({ "config/agents.yaml": `\uFEFF${BASE_AGENTS.replaceAll("\n", "\r\n")}` });
    const fleet = await loadFleet(root);
    expect(fleet.agents.map((a) => a.id)).toEqual(["researcher", "writer"]);
  });

  test("the result does not depend on the order of agents or workflow files", async () => {
    const one = makeFleet({ "config/agents.yaml": BASE_AGENTS });
    const two = makeFleet({
      "config/agents.yaml": "agents:\n  writer:\n    role: writer\n  researcher:\n    role: research\n",
    });
    expect(JSON.stringify(await loadFleet(one))).toBe(JSON.stringify(await loadFleet(two)));
  });
});
