import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  parsePermissionsText,
  removeAgentGrants,
  serializePermissions,
} from "../../../generator/edit/permissions-json.js";
import { apiKeyProblem, TEMPLATE_INFO, TEMPLATES } from "../../../generator/init/options.js";
import { templatesRoot } from "../../../generator/init/package-root.js";
import {
  loadTemplates,
  outputPath,
  renderTemplates,
  type TemplateVars,
} from "../../../generator/init/render-templates.js";
import { mergeEnv, mergeGitignore } from "../../../generator/init/write-fleet.js";

const VARS: TemplateVars = {
  template: "sales",
  provider: "openai",
  providerLabel: "OpenAI",
  model: "openai/gpt-4o-mini",
  credential: "OPENAI_API_KEY",
  firstAgent: "researcher",
  masterKey: "k".repeat(43),
  description: "",
  apiKey: "",
  meshPort: 8420,
  subnetPool: "10.231.0.0/16",
};

describe("templates", () => {
  it("maps template files to fleet paths", () => {
    expect(outputPath("env.hbs")).toBe(".env");
    expect(outputPath("gitignore.hbs")).toBe(".gitignore");
    expect(outputPath("config/workflows/x.yaml.hbs")).toBe("config/workflows/x.yaml");
  });

  it("a missing variable is an error, not an empty string", () => {
    expect(() => renderTemplates(new Map([["a", "{{nope}}"]]), VARS)).toThrow(/nope/);
  });

  it("rendering is deterministic and only .env is private", async () => {
    const templates = await loadTemplates(templatesRoot(), "sales");
    const a = renderTemplates(templates, VARS);
    expect(renderTemplates(templates, VARS)).toEqual(a);
    expect(a.filter((f) => f.mode === 0o600).map((f) => f.path)).toEqual([".env"]);
  });

  it.each(TEMPLATES)("%s: TEMPLATE_INFO names the agents its agents.yaml defines", async (template) => {
    const files = renderTemplates(await loadTemplates(templatesRoot(), template), { ...VARS, template });
    const agents = parse(files.find((f) => f.path === "config/agents.yaml")?.content ?? "").agents;
    expect(Object.keys(agents)).toEqual([...TEMPLATE_INFO[template].agents]);
  });
});

describe("API keys", () => {
  it.each([
    ["sk-proj-abc_123", undefined],
    ["", "the key is empty"],
    ["a b", "without spaces"],
    ["a\nB=c", "without spaces"],
    ["a#b", "without spaces"],
    ["$HOME", "without spaces"],
    ["x".repeat(4097), "longer than 4096"],
  ])("%j → %s", (key, problem) => {
    const found = apiKeyProblem(key);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toContain(problem);
  });
});

describe("merging into existing files", () => {
  it("adds only missing .env keys", () => {
    const fresh = "# c\nOPENLEGION_MASTER_KEY=new\n# OPENLEGION_CRED_X=\n";
    expect(mergeEnv("OPENLEGION_MASTER_KEY=old\n", fresh)).toEqual({
      text: "OPENLEGION_MASTER_KEY=old\n",
      added: [],
    });
    expect(mergeEnv("A=1", fresh)).toEqual({
      text: "A=1\n\n# Added by openlegion init\nOPENLEGION_MASTER_KEY=new\n",
      added: ["OPENLEGION_MASTER_KEY"],
    });
    expect(mergeEnv("export OPENLEGION_MASTER_KEY=old\n", fresh).added).toEqual([]);
  });

  it("adds only missing .gitignore lines", () => {
    const fresh = "# x\n.env\n.openlegion/\n";
    expect(mergeGitignore("node_modules\n.openlegion\n", fresh)).toEqual({
      text: "node_modules\n.openlegion\n.env\n",
      added: [".env"],
    });
    expect(mergeGitignore(".env\n.openlegion/\n", fresh).added).toEqual([]);
  });
});

describe("permissions.json edits", () => {
  it("keep the file's indentation and key order", () => {
    const text =
      '{\n    "b": {\n        "can_message": [\n            "a"\n        ]\n    },\n    "a": {}\n}';
    const p = parsePermissionsText(text);
    expect(removeAgentGrants(p, "a")).toEqual(["b"]);
    expect(serializePermissions(p)).toBe('{\n    "b": {\n        "can_message": []\n    }\n}');
  });

  it("refuse a JSON array", () => {
    expect(() => parsePermissionsText("[]")).toThrow(/JSON object/);
  });
});
