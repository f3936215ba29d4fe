import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { chat, get, type Harness, startHarness, toolMessages, toolsOffered } from "./harness.js";
import { AGENT_TOKEN } from "./helpers.js";

let h: Harness | undefined;
let operatorDir: string | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
  if (operatorDir) await rm(operatorDir, { recursive: true, force: true });
  operatorDir = undefined;
});

const SHOUT = {
  name: "shout",
  description: "Upper-cases text",
  input_schema: { type: "object", properties: { text: { type: "string" } }, required: ["text"] },
  code: "export async function handler(input) { return { text: input.text.toUpperCase() }; }",
};

/** A skills_dir of the operator's with the given files (name → source). */
async function operatorSkills(files: Record<string, string>): Promise<string> {
  operatorDir = await mkdtemp(join(tmpdir(), "ol-skills-"));
  for (const [name, source] of Object.entries(files)) await writeFile(join(operatorDir, name), source);
  return operatorDir;
}

const skill = (name: string, body: string, extra = "") =>
  `export const manifest = { name: "${name}", description: "${name} skill", input_schema: { type: "object" }${extra} };\nexport async function handler(input, ol) { ${body} }\n`;

describe("skills (issue 18 item 5)", () => {
  it("the model creates a skill, reloads, and calls it on its next turn; a rewrite is picked up without a restart", async () => {
    h = await startHarness();
    h.fake.script("openai", { toolCalls: [{ name: "create_skill", args: SHOUT }] }, { text: "written" });
    await chat(h, "make a shout skill");
    expect(toolMessages(h.fake.requests.at(-1))[0]).toContain("call reload_skills");
    expect(await readFile(join(h.dataDir, "skills/shout.js"), "utf8")).toContain('"name": "shout"');
    // Written but never run or offered before reload_skills.
    h.fake.script("openai", { toolCalls: [{ name: "reload_skills", args: {} }] }, { text: "reloaded" });
    await chat(h, "reload");
    expect(toolsOffered(h.fake.requests.at(-1))).not.toContain("skill_shout");
    expect(JSON.parse(toolMessages(h.fake.requests.at(-1)).at(-1) ?? "")).toMatchObject({
      loaded: [{ tool: "skill_shout", origin: "agent" }],
    });

    h.fake.script("openai", { toolCalls: [{ name: "skill_shout", args: { text: "hi" } }] }, { text: "HI" });
    await chat(h, "shout hi");
    expect(toolsOffered(h.fake.requests.at(-1))).toContain("skill_shout");
    expect(JSON.parse(toolMessages(h.fake.requests.at(-1)).at(-1) ?? "")).toEqual({ text: "HI" });

    h.fake.script(
      "openai",
      {
        toolCalls: [
          {
            name: "create_skill",
            args: { ...SHOUT, code: SHOUT.code.replace("toUpperCase()", 'toUpperCase() + "!"') },
          },
        ],
      },
      { toolCalls: [{ name: "reload_skills", args: {} }] },
      { text: "done" },
    );
    await chat(h, "add an exclamation mark");
    h.fake.script("openai", { toolCalls: [{ name: "skill_shout", args: { text: "hi" } }] }, { text: "HI!" });
    await chat(h, "shout hi");
    expect(JSON.parse(toolMessages(h.fake.requests.at(-1)).at(-1) ?? "")).toEqual({ text: "HI!" });
  });

  it("create_skill refuses a bad manifest and a syntax error, naming what is wrong, and writes nothing", async () => {
    h = await startHarness();
    h.fake.script(
      "openai",
      {
        toolCalls: [
          { name: "create_skill", args: { ...SHOUT, name: "Read File" } },
          { name: "create_skill", args: { ...SHOUT, input_schema: { type: "string" } } },
          { name: "create_skill", args: { ...SHOUT, code: "export async function handler( {" } },
          { name: "create_skill", args: { ...SHOUT, code: "x".repeat(70_000) } },
        ],
      },
      { text: "ok" },
    );
    await chat(h, "try");
    const [badName, badSchema, syntax, big] = toolMessages(h.fake.requests.at(-1));
    expect(badName).toContain("name");
    expect(badSchema).toContain("input_schema");
    expect(syntax).toContain("OL_ERR_AGENT_SKILL_INVALID");
    expect(big).toContain("OL_ERR_AGENT_TOOL_TOO_LARGE");
    await expect(readFile(join(h.dataDir, "skills/shout.js"), "utf8")).rejects.toThrow();
  });

  it("a hostile skill reaches nothing: secrets, processes, sockets and endless loops are stopped and reported", async () => {
    const dir = await operatorSkills({
      "read_secret.js": skill("read_secret", 'return await ol.scratch.read("/run/secrets/agent_token");'),
      "require_fs.js": skill(
        "require_fs",
        'return require("node:fs").readFileSync("/run/secrets/agent_token", "utf8");',
      ),
      "spawn.js": skill(
        "spawn",
        'const cp = await import("node:child_process"); return cp.execSync("id").toString();',
      ),
      "socket.js": skill("socket", 'return await fetch("http://127.0.0.1:1/");'),
      "env.js": skill("env", "return process.env;"),
      "spin.js": skill("spin", "while (true) {}", ", timeout_ms: 300"),
      "hang.js": skill("hang", "await new Promise(() => {});", ", timeout_ms: 300"),
      "hog.js": skill("hog", 'const a = []; for (;;) a.push("x".repeat(1000) + a.length);'),
      "imports.js": `import { readFileSync } from "node:fs";\n${skill("imports", "return readFileSync('/run/secrets/agent_token', 'utf8');")}`,
      "broken.js": "export const manifest = { name: 'broken', ;",
    });
    h = await startHarness({ skills_dir: dir });
    const hostile = ["read_secret", "require_fs", "spawn", "socket", "env", "spin", "hang", "hog"];
    h.fake.script(
      "openai",
      { toolCalls: hostile.map((name) => ({ name: `skill_${name}`, args: {} })) },
      { text: "survived" },
    );
    const reply = await chat(h, "run them");
    expect(reply.reply).toBe("survived");
    const results = Object.fromEntries(toolMessages(h.fake.requests.at(-1)).map((m, i) => [hostile[i], m]));
    expect(results.read_secret).toMatch(/OL_ERR_AGENT_SKILL_FAILED.*absolute paths must be under \/data/);
    expect(results.require_fs).toMatch(/OL_ERR_AGENT_SKILL_FAILED.*require is not defined/);
    expect(results.spawn).toMatch(/OL_ERR_AGENT_SKILL_FAILED.*Not supported/);
    expect(results.socket).toMatch(/OL_ERR_AGENT_SKILL_FAILED.*fetch is not defined/);
    expect(results.env).toMatch(/OL_ERR_AGENT_SKILL_FAILED.*process is not defined/);
    expect(results.spin).toMatch(/OL_ERR_AGENT_SKILL_TIMEOUT.*300 ms/);
    expect(results.hang).toMatch(/OL_ERR_AGENT_SKILL_TIMEOUT.*300 ms/);
    expect(results.hog).toMatch(/OL_ERR_AGENT_SKILL_FAILED.*memory limit/);
    for (const text of Object.values(results)) expect(text).not.toContain(AGENT_TOKEN);

    // The module that imports node:fs and the syntax error were skipped at boot, with the reason.
    const status = (await (await get(h, "/status")).json()) as {
      tools?: { skills?: { loaded: string[]; skipped: { file: string; error: string }[] } };
    };
    const skills = JSON.stringify(status);
    expect(skills).toContain("skills cannot import modules");
    expect(skills).toMatch(/broken\.js.*Unexpected token/);
    // The agent is still fine.
    h.fake.script("openai", { text: "still here" });
    expect((await chat(h, "ping")).reply).toBe("still here");
  });

  it("a TypeScript skill in skills_dir has its types stripped and runs; its scratch directory is its own", async () => {
    const dir = await operatorSkills({
      "notes.ts": `interface In { text: string }
export const manifest = { name: "notes", description: "keeps a note", input_schema: { type: "object" } };
export async function handler(input: In, ol: any): Promise<unknown> {
  await ol.scratch.write("note.txt", input.text);
  return { saved: await ol.scratch.read("note.txt") };
}
`,
    });
    h = await startHarness({ skills_dir: dir });
    await mkdir(join(h.dataDir, "skills"), { recursive: true });
    h.fake.script(
      "openai",
      { toolCalls: [{ name: "skill_notes", args: { text: "remember" } }] },
      { text: "ok" },
    );
    await chat(h, "note");
    expect(JSON.parse(toolMessages(h.fake.requests.at(-1))[0] ?? "")).toEqual({ saved: "remember" });
    expect(await readFile(join(h.dataDir, "skill-scratch/notes/note.txt"), "utf8")).toBe("remember");
  });
});

describe("a skill's scratch directory", () => {
  it("cannot be redirected by a link planted at /data/skill-scratch/<name>", async () => {
    const { symlink } = await import("node:fs/promises");
    const secrets = await operatorSkills({
      agent_token: "secret-value",
      "peek.js": skill("peek", 'return await ol.scratch.read("agent_token");'),
    });
    h = await startHarness({ skills_dir: secrets });
    await mkdir(join(h.dataDir, "skill-scratch"), { recursive: true });
    await symlink(secrets, join(h.dataDir, "skill-scratch/peek"));
    h.fake.script("openai", { toolCalls: [{ name: "skill_peek", args: {} }] }, { text: "ok" });
    await chat(h, "peek");
    const [result] = toolMessages(h.fake.requests.at(-1));
    expect(result).toContain("OL_ERR_AGENT_PATH_REFUSED");
    expect(result).not.toContain("secret-value");
  });
});
