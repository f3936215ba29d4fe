import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadFleet } from "../../../generator/config/load.js";
import { envFileSchema } from "../../../generator/config/schemas/env.js";
import { TEMPLATE_INFO, TEMPLATES } from "../../../generator/init/options.js";
import { cleanupTempDirs, runCli, scriptedPrompts, tempDir } from "../../unit/cli/helpers.js";

afterEach(cleanupTempDirs);

const read = (dir: string, path: string) => readFileSync(join(dir, path), "utf8");
const masterKeyOf = (env: string) => /^OPENLEGION_MASTER_KEY=(.*)$/m.exec(env)?.[1] ?? "";

describe("openlegion init --yes", () => {
  it.each(TEMPLATES)("writes a valid %s fleet that loadFleet accepts", async (template) => {
    const dir = tempDir();
    const { code, stdout, stderr } = await runCli(["init", dir, "--template", template, "--yes"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const fleet = await loadFleet(dir, { requireEnv: true });
    expect(fleet.agents.map((a) => a.id).sort()).toEqual([...TEMPLATE_INFO[template].agents].sort());
    expect(fleet.workflows.length).toBe(template === "starter" ? 0 : 1);
    expect(fleet.project).toContain("## Hard Constraints");
    for (const agent of fleet.agents) {
      expect(agent.model).toBe("openai/gpt-4o-mini");
      expect(
        agent.system_prompt.split("\n\n").length,
        `${agent.id} prompt paragraphs`,
      ).toBeGreaterThanOrEqual(3);
      expect(agent.permissions.allowed_apis).toEqual(["llm"]);
    }
    for (const path of [
      "config/agents.yaml",
      "config/permissions.json",
      "config/mesh.yaml",
      "config/watchers.yaml",
      "PROJECT.md",
      ".env",
      ".gitignore",
    ]) {
      expect(stdout).toContain(path);
    }
    expect(existsSync(join(dir, "config/workflows"))).toBe(true);
    expect(stdout).toContain("openlegion validate");
  });

  it.each(TEMPLATES)("%s: permissions.json uses the canonical layout agent edits keep", async (template) => {
    const dir = tempDir();
    await runCli(["init", dir, "--template", template, "--yes"]);
    const text = read(dir, "config/permissions.json");
    expect(text).toBe(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
  });

  it("gives every workflow step an agent that may read what its predecessor wrote", async () => {
    for (const template of ["sales", "devteam", "content"] as const) {
      const dir = tempDir();
      await runCli(["init", dir, "--template", template, "--yes"]);
      const fleet = await loadFleet(dir);
      const byId = new Map(fleet.agents.map((a) => [a.id, a]));
      const [workflow] = fleet.workflows;
      for (const step of workflow?.steps ?? []) {
        const agent = byId.get(step.agent ?? "");
        expect(agent, `${template} ${step.id}`).toBeDefined();
        for (const dep of step.depends_on) {
          const writer = byId.get(workflow?.steps.find((s) => s.id === dep)?.agent ?? "");
          const written = writer?.permissions.blackboard_write ?? [];
          expect(written.length).toBeGreaterThan(0);
          for (const key of written)
            expect(agent?.permissions.blackboard_read, `${step.agent} reads ${key}`).toContain(key);
        }
      }
    }
  });

  it("writes .env with mode 0600 and a fresh 32-byte master key, different on every run", async () => {
    const a = tempDir();
    const b = tempDir();
    await runCli(["init", a, "--yes"]);
    await runCli(["init", b, "--yes"]);
    expect(statSync(join(a, ".env")).mode & 0o777).toBe(0o600);
    const key = masterKeyOf(read(a, ".env"));
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(key, "base64url").length).toBe(32);
    expect(key).not.toBe(masterKeyOf(read(b, ".env")));
    expect(read(a, ".env")).toContain("# OPENLEGION_CRED_OPENAI_API_KEY=");
    expect(envFileSchema.safeParse({ OPENLEGION_MASTER_KEY: key }).success).toBe(true);
    expect(read(a, ".gitignore")).toMatch(/^\.env$/m);
    expect(read(a, ".gitignore")).toMatch(/^\.openlegion\/$/m);
  });

  it("--api-key-env writes the key into .env and never prints it", async () => {
    const dir = tempDir();
    const secret = "sk-ant-test-0123456789abcdef";
    const { code, stdout, stderr } = await runCli(
      ["init", dir, "--yes", "--provider", "anthropic", "--api-key-env", "MY_KEY"],
      { env: { MY_KEY: secret } },
    );
    expect(code).toBe(0);
    expect(read(dir, ".env")).toMatch(/^OPENLEGION_CRED_ANTHROPIC_API_KEY=sk-ant-test-0123456789abcdef$/m);
    expect(stdout + stderr).not.toContain(secret);
    expect(parse(read(dir, "config/mesh.yaml")).llm.default_model).toBe("anthropic/claude-haiku-4-5");
    expect((await loadFleet(dir, { requireEnv: true })).agents[0]?.model).toBe("anthropic/claude-haiku-4-5");
  });

  it.each([
    [["--api-key-env", "MISSING"], {}, "MISSING: that environment variable is not set or empty"],
    [["--api-key-env", "K"], { K: "has space" }, "without spaces"],
    [["--api-key-env", "K"], { K: "sk-x\nOPENLEGION_MASTER_KEY=evil" }, "without spaces"],
    [["--api-key-env", "not-a-name"], {}, "--api-key-env must be an environment variable name"],
    [["--template", "marketing"], {}, "--template must be one of starter, sales, devteam, content"],
    [["--provider", "mistral"], {}, "--provider must be one of openai, anthropic, gemini"],
    [["--model", "gpt-4o"], {}, '--model: model must be "provider/model"'],
    [["--model", "mistral/large"], {}, "init sets up openai, anthropic, gemini models"],
    [
      ["--provider", "openai", "--model", "anthropic/claude-haiku-4-5"],
      {},
      "does not belong to provider openai",
    ],
  ])("refuses %j with exit 2 and writes nothing", async (flags, env, message) => {
    const dir = join(tempDir(), "fleet");
    const { code, stderr } = await runCli(["init", dir, "--yes", ...flags], { env });
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stderr.split("\n").filter(Boolean)).toHaveLength(1);
    expect(stderr).not.toContain("evil");
    expect(existsSync(dir)).toBe(false);
  });

  it("without a terminal and without --yes exits 2 and explains the flags", async () => {
    const dir = join(tempDir(), "fleet");
    const { code, stderr } = await runCli(["init", dir]);
    expect(code).toBe(2);
    expect(stderr).toContain("pass --yes");
    expect(stderr).toContain("--template");
    expect(existsSync(dir)).toBe(false);
  });

  it("`setup` is an alias of init", async () => {
    const dir = tempDir();
    expect((await runCli(["setup", dir, "--yes", "-t", "devteam"])).code).toBe(0);
    expect(read(dir, "config/agents.yaml")).toContain("  engineer:");
  });

  it("resolves a relative dir against io.cwd", async () => {
    const cwd = tempDir();
    expect((await runCli(["init", "my-fleet", "--yes"], { cwd })).code).toBe(0);
    expect(existsSync(join(cwd, "my-fleet/config/agents.yaml"))).toBe(true);
  });
});

describe("an existing fleet", () => {
  it("is refused without --force (exit 2) and left untouched", async () => {
    const dir = tempDir();
    await runCli(["init", dir, "--yes"]);
    writeFileSync(join(dir, "config/agents.yaml"), "agents: {}\n# mine\n");
    const { code, stderr } = await runCli(["init", dir, "--yes", "--template", "sales"]);
    expect(code).toBe(2);
    expect(stderr).toContain("already holds a fleet");
    expect(stderr).toContain("--force");
    expect(read(dir, "config/agents.yaml")).toBe("agents: {}\n# mine\n");
  });

  it("is refused before any question is asked", async () => {
    const dir = tempDir();
    await runCli(["init", dir, "--yes"]);
    const { prompts, asked } = scriptedPrompts([]);
    expect((await runCli(["init", dir], { isTTY: true, prompts })).code).toBe(2);
    expect(asked).toEqual([]);
  });

  it("a stray config file alone also blocks init without --force", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "config"));
    writeFileSync(join(dir, "config/mesh.yaml"), "mesh: {}\n");
    const { code, stderr } = await runCli(["init", dir, "--yes"]);
    expect(code).toBe(2);
    expect(stderr).toContain("config/mesh.yaml");
  });

  it("--force replaces config/ but keeps .env, PROJECT.md and other files", async () => {
    const dir = tempDir();
    await runCli(["init", dir, "--yes"]);
    const env = read(dir, ".env");
    writeFileSync(join(dir, "PROJECT.md"), "# My own project notes\n");
    writeFileSync(join(dir, "config/workflows/mine.yaml"), "# not from a template\n");
    writeFileSync(join(dir, "notes.txt"), "keep me\n");
    writeFileSync(join(dir, ".gitignore"), "node_modules/\n.env\n");

    const { code, stdout } = await runCli(["init", dir, "--yes", "--force", "--template", "sales"]);
    expect(code).toBe(0);
    expect(read(dir, "config/agents.yaml")).toContain("  qualifier:");
    expect(read(dir, ".env")).toBe(env);
    expect(statSync(join(dir, ".env")).mode & 0o777).toBe(0o600);
    expect(read(dir, "PROJECT.md")).toBe("# My own project notes\n");
    expect(read(dir, "config/workflows/mine.yaml")).toBe("# not from a template\n");
    expect(read(dir, "notes.txt")).toBe("keep me\n");
    expect(read(dir, ".gitignore")).toBe("node_modules/\n.env\n.openlegion/\n");
    expect(stdout).toMatch(/overwritten\s+config\/agents\.yaml/);
    expect(stdout).toMatch(/kept\s+PROJECT\.md/);
  });

  it("an existing .env without a master key gains one; the user's lines stay", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, ".env"), "OPENLEGION_CRED_OPENAI_API_KEY=sk-mine\n", { mode: 0o644 });
    expect((await runCli(["init", dir, "--yes"])).code).toBe(0);
    const env = read(dir, ".env");
    expect(env.startsWith("OPENLEGION_CRED_OPENAI_API_KEY=sk-mine\n")).toBe(true);
    expect(Buffer.from(masterKeyOf(env), "base64url").length).toBe(32);
    expect(env.match(/OPENLEGION_CRED_OPENAI_API_KEY=/g)).toHaveLength(1);
    expect(statSync(join(dir, ".env")).mode & 0o777).toBe(0o600);
    await loadFleet(dir, { requireEnv: true });
  });

  it("refuses a dir that is a file", async () => {
    const file = join(tempDir(), "file");
    writeFileSync(file, "x");
    const { code, stderr } = await runCli(["init", file, "--yes"]);
    expect(code).toBe(2);
    expect(stderr).toContain("not a directory");
  });
});

describe("interactive init (prompts answered through the seam)", () => {
  it("asks template, provider, model and a hidden key, and uses the answers", async () => {
    const dir = tempDir();
    const { prompts, asked } = scriptedPrompts(["content", "gemini", "", "AIzaTestKey_123", ""]);
    const { code, stdout } = await runCli(["init", dir], { isTTY: true, prompts });
    expect(code).toBe(0);
    expect(asked.map((q) => q.kind)).toEqual(["select", "select", "input", "password", "input"]);
    expect(asked[0]?.choices).toEqual(["starter", "sales", "devteam", "content"]);
    expect(asked[2]?.default).toBe("gemini/gemini-2.5-flash");
    expect(read(dir, ".env")).toMatch(/^OPENLEGION_CRED_GEMINI_API_KEY=AIzaTestKey_123$/m);
    expect(stdout).not.toContain("AIzaTestKey_123");
    const fleet = await loadFleet(dir, { requireEnv: true });
    expect(fleet.agents.map((a) => a.id).sort()).toEqual(["editor", "researcher", "writer"]);
    expect(fleet.mesh.llm.default_model).toBe("gemini/gemini-2.5-flash");
  });

  it("asks only what the flags leave open; an empty key leaves a placeholder", async () => {
    const dir = tempDir();
    const { prompts, asked } = scriptedPrompts([""]);
    const { code, stdout } = await runCli(
      ["init", dir, "-t", "sales", "--model", "openai/gpt-4o", "--description", "Lead research for Acme"],
      { isTTY: true, prompts },
    );
    expect(code).toBe(0);
    expect(asked.map((q) => q.kind)).toEqual(["password"]);
    expect(read(dir, ".env")).toContain("# OPENLEGION_CRED_OPENAI_API_KEY=");
    expect(stdout).toContain("set OPENLEGION_CRED_OPENAI_API_KEY in .env");
    expect(parse(read(dir, "config/agents.yaml")).agents.researcher.model).toBe("openai/gpt-4o");
  });

  it("writes the one-line description into PROJECT.md, and keeps the placeholder without one", async () => {
    const dir = tempDir();
    const { prompts, asked } = scriptedPrompts([
      "starter",
      "openai",
      "",
      "",
      "  Answers support email for Acme Widgets  ",
    ]);
    expect((await runCli(["init", dir], { isTTY: true, prompts })).code).toBe(0);
    expect(asked[4]?.message).toMatch(/One-line project description/);
    expect(read(dir, "PROJECT.md")).toMatch(
      /## What We're Building\n\nAnswers support email for Acme Widgets\n/,
    );
    const plain = tempDir();
    expect((await runCli(["init", plain, "--yes"], {})).code).toBe(0);
    expect(read(plain, "PROJECT.md")).toContain("Describe your project in two or three sentences");
    const bad = await runCli(["init", tempDir(), "--yes", "--description", "two\nlines"], {});
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--description must be one line of printable text");
  });

  it("offers the provider key already in the environment, and never prints it", async () => {
    const dir = tempDir();
    const { prompts, asked } = scriptedPrompts(["starter", "anthropic", "", true, ""]);
    const env = { ANTHROPIC_API_KEY: "sk-ant-from-env_123" };
    const { code, stdout } = await runCli(["init", dir], { isTTY: true, prompts, env });
    expect(code).toBe(0);
    expect(asked.map((q) => q.kind)).toEqual(["select", "select", "input", "confirm", "input"]);
    expect(asked[3]?.message).toBe("Use ANTHROPIC_API_KEY from your environment as the API key?");
    expect(read(dir, ".env")).toMatch(/^OPENLEGION_CRED_ANTHROPIC_API_KEY=sk-ant-from-env_123$/m);
    expect(stdout).not.toContain("sk-ant-from-env_123");
    // Declined: the hidden prompt asks as before.
    const other = tempDir();
    const no = scriptedPrompts(["starter", "anthropic", "", false, "sk-ant-typed_456", ""]);
    expect((await runCli(["init", other], { isTTY: true, prompts: no.prompts, env })).code).toBe(0);
    expect(read(other, ".env")).toMatch(/^OPENLEGION_CRED_ANTHROPIC_API_KEY=sk-ant-typed_456$/m);
  });

  it("--yes on a terminal asks nothing", async () => {
    const dir = tempDir();
    const { prompts, asked } = scriptedPrompts([]);
    expect((await runCli(["init", dir, "--yes"], { isTTY: true, prompts })).code).toBe(0);
    expect(asked).toEqual([]);
  });

  it("a cancelled prompt (Ctrl+C) exits 1 and writes nothing", async () => {
    const dir = join(tempDir(), "fleet");
    const cancel = Object.assign(new Error("User force closed the prompt"), { name: "ExitPromptError" });
    const { prompts } = scriptedPrompts([]);
    prompts.select = () => Promise.reject(cancel);
    const { code, stderr } = await runCli(["init", dir], { isTTY: true, prompts });
    expect(code).toBe(1);
    expect(stderr).toBe("openlegion: cancelled; nothing was written\n");
    expect(existsSync(dir)).toBe(false);
  });
});
