import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, test } from "vitest";
import { parse } from "yaml";
import { isConfigError } from "../../../generator/config/errors.js";
import { loadFleet } from "../../../generator/config/load.js";
import { meshFileSchema } from "../../../generator/config/schemas/mesh.js";
import { dryRunRender } from "../../../generator/render/dry-run.js";
import { cleanupFleets, type FleetFiles, makeFleet } from "./helpers.js";

/**
 * Every YAML and JSON example in docs/ and the README is a valid piece of a fleet: each is placed
 * into a small base fleet as the file it is an example of, then loaded and dry-rendered (what
 * `validate` does). An example may name only the agents and workflows of the base fleet below.
 */
afterEach(cleanupFleets);

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const DOCS = [
  "README.md",
  ...readdirSync(`${ROOT}docs`)
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];

const BASE_AGENTS = ["assistant", "orchestrator", "qualify", "research", "researcher", "writer"];
const BASE: FleetFiles = {
  "config/agents.yaml": `agents:\n${BASE_AGENTS.map((id) => `  ${id}: {}\n`).join("")}`,
  "config/workflows/sweep.yaml": "name: sweep\nsteps:\n  - id: sweep\n    action: noop\n",
};
const MESH_KEYS = new Set(Object.keys(meshFileSchema.shape));

interface Block {
  where: string;
  lang: "yaml" | "json";
  text: string;
}

function blocksOf(file: string): Block[] {
  const text = readFileSync(`${ROOT}${file}`, "utf8");
  const out: Block[] = [];
  for (const m of text.matchAll(/^```(yaml|json)\n([\s\S]*?)^```$/gm)) {
    const line = text.slice(0, m.index).split("\n").length;
    out.push({ where: `${file}:${line}`, lang: m[1] as Block["lang"], text: m[2] ?? "" });
  }
  return out;
}

/** The fleet files an example stands for, or a reason it cannot be placed. */
function placed(block: Block): FleetFiles | string {
  if (block.lang === "json") return { "config/permissions.json": block.text };
  const value: unknown = parse(block.text);
  if (!value || typeof value !== "object" || Array.isArray(value)) return "not a mapping";
  const keys = Object.keys(value);
  if (keys.includes("agents")) {
    const agents = (value as { agents: Record<string, unknown> }).agents;
    const merged = { ...Object.fromEntries(BASE_AGENTS.map((id) => [id, {}])), ...agents };
    return { "config/agents.yaml": JSON.stringify({ agents: merged }) };
  }
  if (keys.includes("steps")) return { "config/workflows/example.yaml": block.text };
  if (keys.includes("watchers")) return { "config/watchers.yaml": block.text };
  if (keys.every((k) => MESH_KEYS.has(k))) return { "config/mesh.yaml": block.text };
  // A fragment of a workflow (e.g. `concurrency:`): set into a one-step workflow.
  const flow = { name: "fragment", steps: [{ id: "only", agent: "assistant" }], ...value };
  return { "config/workflows/fragment.yaml": JSON.stringify(flow) };
}

const blocks = DOCS.flatMap(blocksOf);

describe("examples in the docs", () => {
  test("there are examples to check", () => {
    expect(blocks.length).toBeGreaterThan(8);
  });

  test.each(blocks.map((b) => [b.where, b] as const))("%s is valid in a fleet", async (_where, block) => {
    const files = placed(block);
    if (typeof files === "string") throw new Error(`${block.where}: cannot place the example: ${files}`);
    const root = makeFleet({ ...BASE, ...files });
    try {
      const fleet = await loadFleet(root);
      expect(dryRunRender(fleet).issues).toEqual([]);
    } catch (error) {
      if (isConfigError(error))
        throw new Error(`${block.where}: ${error.issues.map((i) => i.message).join("; ")}`);
      throw error;
    }
  });
});
