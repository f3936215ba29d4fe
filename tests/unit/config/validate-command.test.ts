import { Command } from "commander";
import { afterEach, describe, expect, test } from "vitest";
import { runValidate, type ValidateJson, validateCommand } from "../../../generator/cli/commands/validate.js";
import type { CliIo } from "../../../generator/cli/io.js";
import { type ConfigIssue, formatIssue, sortIssues } from "../../../generator/config/errors.js";
import { cleanupFleets, makeFleet, snapshotTree, supportedSeedFleet, TEST_MASTER_KEY } from "./helpers.js";

afterEach(cleanupFleets);

function captureIo(cwd = "/"): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    cwd,
    env: {},
    isTTY: false,
    now: () => new Date(0),
  };
}

async function runCli(argv: string[], io: CliIo): Promise<number | undefined> {
  const program = new Command().exitOverride();
  let code: number | undefined;
  validateCommand.register(program, io, (c) => {
    code = c;
  });
  await program.parseAsync(["validate", ...argv], { from: "user" });
  return code;
}

const BAD_AGENTS =
  "agents:\n  researcher:\n    modle: openai/gpt-4o\n    resources:\n      memory_limit: lots\n";

describe("the printed issue line", () => {
  test("is exactly `file:line:col path: message`", () => {
    const issue: ConfigIssue = {
      file: "config/agents.yaml",
      line: 4,
      col: 5,
      path: "agents.researcher.modle",
      message: 'unknown key (did you mean "model"?)',
    };
    expect(formatIssue(issue)).toBe(
      'config/agents.yaml:4:5 agents.researcher.modle: unknown key (did you mean "model"?)',
    );
  });

  test("names the whole file as (file) when there is no field", () => {
    expect(formatIssue({ file: ".env", line: 1, col: 1, path: "", message: "file is empty" })).toBe(
      ".env:1:1 (file): file is empty",
    );
  });

  test("issues sort by file, then line, then column (numerically), duplicates dropped", () => {
    const mk = (file: string, line: number, col: number): ConfigIssue => ({
      file,
      line,
      col,
      path: "p",
      message: "m",
    });
    const sorted = sortIssues([mk("b", 1, 1), mk("a", 10, 1), mk("a", 9, 12), mk("a", 9, 2), mk("a", 9, 2)]);
    expect(sorted.map((i) => `${i.file}:${i.line}:${i.col}`)).toEqual(["a:9:2", "a:9:12", "a:10:1", "b:1:1"]);
  });
});

describe("openlegion validate", () => {
  test("prints a one-line summary and exits 0 for a valid fleet", async () => {
    const io = captureIo();
    const code = await runCli([supportedSeedFleet()], io);
    expect(code).toBe(0);
    expect(io.out.join("")).toBe("✓ fleet valid: 4 agents, 1 workflow, 1 watcher\n");
    expect(io.err).toEqual(["note: no .env in the fleet directory, so its credentials were not checked\n"]);
  });

  test("resolves [dir] against io.cwd and defaults to it", async () => {
    const root = makeFleet({ "config/agents.yaml": "agents:\n  solo: {}\n" });
    const io = captureIo(root);
    expect(await runCli([], io)).toBe(0);
    expect(io.out.join("")).toBe("✓ fleet valid: 1 agent, 0 workflows\n");
  });

  test("prints each issue on stderr, sorted, then a count; exits 2; writes nothing", async () => {
    const root = makeFleet({ "config/agents.yaml": BAD_AGENTS });
    const before = snapshotTree(root);
    const io = captureIo();
    const code = await runCli([root], io);
    expect(code).toBe(2);
    expect(io.out).toEqual([]);
    expect(io.err.join("").split("\n")).toEqual([
      'config/agents.yaml:3:5 agents.researcher.modle: unknown key (did you mean "model"?)',
      'config/agents.yaml:5:21 agents.researcher.resources.memory_limit: memory_limit must be a size like "512m" or "1g"',
      "✗ fleet config invalid: 2 problems",
      "",
    ]);
    expect(snapshotTree(root)).toBe(before);
  });

  test("--json prints { ok, issues, agents } on stdout for a valid fleet", async () => {
    const io = captureIo();
    expect(await runCli([supportedSeedFleet(), "--json"], io)).toBe(0);
    const result = JSON.parse(io.out.join("")) as ValidateJson;
    expect(result.ok).toBe(true);
    expect(result.issues).toEqual([]);
    expect(result.agents.map((a) => a.id)).toEqual(["orchestrator", "qualify", "research", "researcher"]);
    expect(result.agents[0]).toEqual({
      id: "orchestrator",
      role: "orchestrator",
      model: "openai/gpt-4o-mini",
    });
    expect(result.workflows).toEqual(["prospect_pipeline"]);
  });

  test("--json reports issues with file, line, col, path and message, and exits 2", async () => {
    const root = makeFleet({ "config/agents.yaml": BAD_AGENTS });
    const io = captureIo();
    expect(await runCli([root, "--json"], io)).toBe(2);
    const result = JSON.parse(io.out.join("")) as ValidateJson;
    expect(result.ok).toBe(false);
    expect(result.issues[0]).toEqual({
      file: "config/agents.yaml",
      line: 3,
      col: 5,
      path: "agents.researcher.modle",
      message: 'unknown key (did you mean "model"?)',
    });
    expect(result.agents).toEqual([]);
  });

  test("a directory that is not a fleet is a config error (exit 2) with a hint", async () => {
    const root = makeFleet({ "README.md": "hi" });
    const io = captureIo();
    expect(await runValidate({ dir: root, json: false }, io)).toBe(2);
    expect(io.err.join("")).toContain(
      "config/agents.yaml:1:1 (file): required file is missing (run `openlegion init`",
    );
  });
});

describe("openlegion validate refuses what render or the mesh would refuse", () => {
  const agents = "agents:\n  alpha: {}\n  beta: {}\n";
  const env = (extra = ""): string => `OPENLEGION_MASTER_KEY=${TEST_MASTER_KEY}\n${extra}`;

  test("a provider key missing from .env is named, exit 2", async () => {
    const root = makeFleet({ "config/agents.yaml": agents, ".env": env() });
    const io = captureIo();
    expect(await runCli([root], io)).toBe(2);
    expect(io.err.join("")).toContain(
      ".env:1:1 (file): .env is missing OPENLEGION_CRED_OPENAI_API_KEY (needed by provider openai)",
    );
  });

  test("with the key present the same fleet is valid and nothing is written", async () => {
    const root = makeFleet({
      "config/agents.yaml": agents,
      ".env": env("OPENLEGION_CRED_OPENAI_API_KEY=sk-test\n"),
    });
    const before = snapshotTree(root);
    const io = captureIo();
    expect(await runCli([root], io)).toBe(0);
    expect(io.err).toEqual([]);
    expect(snapshotTree(root)).toBe(before);
  });

  test("a condition reading a step that is not upstream (the mesh refuses it at boot) is exit 2", async () => {
    const flow =
      'name: flow\nsteps:\n  - id: a\n    agent: alpha\n  - id: b\n    agent: beta\n    when: "a.result.ok"\n  - id: c\n    agent: alpha\n    when: "b.result.ok"\n';
    const root = makeFleet({ "config/agents.yaml": agents, "config/workflows/flow.yaml": flow });
    const io = captureIo();
    expect(await runCli([root], io)).toBe(2);
    expect(io.err.join("")).toMatch(
      /the mesh would refuse this config at boot: .*refers to "a", which is not upstream of "b"/,
    );
  });

  test('can_message ["*"] means any agent and validates', async () => {
    const root = makeFleet({
      "config/agents.yaml": agents,
      "config/permissions.json": '{"alpha": {"can_message": ["*"]}}\n',
    });
    const io = captureIo();
    expect(await runCli([root], io)).toBe(0);
  });
});
