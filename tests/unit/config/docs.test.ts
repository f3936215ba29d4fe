import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, test } from "vitest";
import { DOC_EXAMPLES } from "../../../generator/config/doc-examples.js";
import { renderConfigDocs } from "../../../generator/config/docs.js";
import { loadFleet } from "../../../generator/config/load.js";
import { agentSchema } from "../../../generator/config/schemas/agents.js";
import { meshFileSchema } from "../../../generator/config/schemas/mesh.js";
import { dryRunRender } from "../../../generator/render/dry-run.js";
import { cleanupFleets, makeFleet, TEST_MASTER_KEY } from "./helpers.js";

afterEach(cleanupFleets);

const DOC = fileURLToPath(new URL("../../../docs/config.md", import.meta.url));

describe("docs/config.md", () => {
  test("is exactly what the schemas generate (run `npm run docs:config` after changing a schema)", () => {
    expect(readFileSync(DOC, "utf8")).toBe(renderConfigDocs());
  });

  test("lists every agent and mesh field with its type and default", () => {
    const doc = renderConfigDocs();
    const row = (field: string, type: string, def: string): RegExp =>
      new RegExp(
        `^\\| \`${field.replace(/[.<>]/g, "\\$&")}\` +\\| ${type} +\\| ${def.replace(/[.[\]"]/g, "\\$&")} +\\|`,
        "m",
      );
    for (const key of Object.keys(agentSchema.shape))
      expect(doc).toContain(`| \`agents.<agent-id>.${key}\` `);
    for (const key of Object.keys(meshFileSchema.shape)) expect(doc).toContain(`| \`${key}\` `);
    expect(doc).toMatch(row("agents.<agent-id>.resources.memory_limit", "string", '`"512m"`'));
    expect(doc).toMatch(row("agents.<agent-id>.resources.cpu_limit", "number", "`0.5`"));
    expect(doc).toMatch(row("agents.<agent-id>.budget.daily_usd", "number", "`10`"));
    expect(doc).toMatch(row("agents.<agent-id>.budget.monthly_usd", "number", "`200`"));
    expect(doc).toMatch(row("mesh.port", "integer", "`8420`"));
    expect(doc).toMatch(row("llm.default_model", "string", '`"openai/gpt-4o-mini"`'));
    expect(doc).toMatch(row("llm.max_tokens", "integer", "`4096`"));
    expect(doc).toMatch(row("llm.temperature", "number", "`0.7`"));
  });

  test("its examples form a valid fleet", async () => {
    const files: Record<string, string> = { ...DOC_EXAMPLES };
    files[".env"] = (files[".env"] ?? "").replace(
      /^OPENLEGION_MASTER_KEY=.*$/m,
      `OPENLEGION_MASTER_KEY=${TEST_MASTER_KEY}`,
    );
    const fleet = await loadFleet(makeFleet(files), { requireEnv: true });
    // …that render and the mesh accept too (brave_search is a built-in API preset).
    expect(dryRunRender(fleet)).toEqual({ issues: [], credentialsChecked: true });
    expect(fleet.agents.map((a) => a.id)).toEqual(["orchestrator", "researcher"]);
    expect(fleet.workflows.map((w) => w.name)).toEqual(["prospect_pipeline"]);
  });
});
