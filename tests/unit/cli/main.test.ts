import { describe, expect, it } from "vitest";
import { exitCodeOf } from "../../../generator/cli/main.js";
import { OlError } from "../../../services/common/errors.js";
import { runCli } from "./helpers.js";

const TOP_LEVEL = [
  "init|setup",
  "validate",
  "render",
  "lint",
  "plan",
  "build",
  "up|start",
  "down|stop",
  "status",
  "chat",
  "costs",
  "dashboard",
  "logs",
  "doctor",
  "agent",
  "channels",
  "workflow",
  "version",
];

describe("openlegion --help", () => {
  it("lists every command, each with a description", async () => {
    const { code, stdout } = await runCli(["--help"]);
    expect(code).toBe(0);
    for (const name of TOP_LEVEL) {
      const line = stdout.split("\n").find((l) => l.trimStart().startsWith(`${name} `));
      expect(line, name).toBeDefined();
      // "<name> [args]   description": a description follows the usage column.
      expect(line?.trim().split(/\s{2,}/).length, name).toBeGreaterThanOrEqual(2);
    }
  });

  it.each([
    ["agent", ["add", "list", "remove"]],
    ["channels", ["add", "list", "remove", "pair"]],
    ["workflow", ["run", "list", "show"]],
  ])("lists the subcommands of %s", async (group, subs) => {
    const { code, stdout } = await runCli([group, "--help"]);
    expect(code).toBe(0);
    for (const sub of subs) expect(stdout).toMatch(new RegExp(`^\\s+${sub}\\b.*\\S\\s{2,}\\S`, "m"));
  });

  it("documents the real flags of commands that are not implemented yet", async () => {
    expect((await runCli(["up", "--help"])).stdout).toContain("-d, --detach");
    expect((await runCli(["build", "--help"])).stdout).toContain("--node-image <image>");
  });
});

describe("exit codes", () => {
  it("an unknown command exits 2 with commander's message", async () => {
    const { code, stderr } = await runCli(["frobnicate"]);
    expect(code).toBe(2);
    expect(stderr).toContain("unknown command 'frobnicate'");
  });

  it("a misspelled command gets a suggestion", async () => {
    const { code, stderr } = await runCli(["initt"]);
    expect(code).toBe(2);
    expect(stderr).toContain("Did you mean init?");
  });

  it("an unknown flag exits 2", async () => {
    const { code, stderr } = await runCli(["init", "--bogus"]);
    expect(code).toBe(2);
    expect(stderr).toContain("unknown option '--bogus'");
  });

  it("no command at all is a usage error", async () => {
    expect((await runCli([])).code).toBe(2);
  });

  it("version prints the package version", async () => {
    const { code, stdout } = await runCli(["version", "--json"]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    expect((await runCli(["--version"])).stdout.trim()).toBe(JSON.parse(stdout).version);
  });

  it("maps OlError to 2 for usage and config problems, else 1", () => {
    expect(exitCodeOf(new OlError("OL_ERR_X", "bad flag", 400))).toBe(2);
    expect(exitCodeOf(new OlError("OL_ERR_X", "boom", 500))).toBe(1);
    expect(exitCodeOf(new OlError("OL_ERR_X", "no", 500, { details: { exitCode: 2 } }))).toBe(2);
  });
});
