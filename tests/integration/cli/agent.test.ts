import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadFleet } from "../../../generator/config/load.js";
import { cleanupTempDirs, runCli, scriptedPrompts, tempDir } from "../../unit/cli/helpers.js";

let dir: string;
const read = (path: string) => readFileSync(join(dir, path), "utf8");
const agentsYaml = () => read("config/agents.yaml");
const permissions = () => JSON.parse(read("config/permissions.json"));

beforeEach(async () => {
  dir = tempDir();
  expect((await runCli(["init", dir, "--template", "sales", "--yes"])).code).toBe(0);
});
afterEach(cleanupTempDirs);

describe("openlegion agent add", () => {
  it("adds a valid agent with least-privilege grants, keeping the rest of both files", async () => {
    const before = agentsYaml();
    const beforePermissions = read("config/permissions.json");
    const { code, stdout } = await runCli([
      "agent",
      "add",
      "support",
      "--role",
      "Support triage",
      "--dir",
      dir,
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain("Added agent support");
    expect(agentsYaml().startsWith(before)).toBe(true);
    expect(parse(agentsYaml()).agents.support.role).toBe("Support triage");
    expect(permissions().support).toEqual({
      can_message: [],
      can_publish: [],
      can_subscribe: [],
      blackboard_read: ["tasks/*", "context/support_*"],
      blackboard_write: ["context/support_*"],
      allowed_apis: ["llm"],
    });
    // The old entries are untouched, byte for byte: only the new entry is inserted before the final brace.
    expect(
      read("config/permissions.json").startsWith(beforePermissions.replace(/\n {2}}\n}\n$/, "\n  },\n")),
    ).toBe(true);
    const fleet = await loadFleet(dir);
    const support = fleet.agents.find((a) => a.id === "support");
    expect(support?.model).toBe("openai/gpt-4o-mini");
    expect(support?.system_prompt).toContain("Support triage");
  });

  it("keeps a user comment above another agent and a blank line byte-identical through add and remove", async () => {
    const custom = agentsYaml().replace(
      "  qualifier:\n",
      "  # Tuned by hand, keep the budget low!\n\n  qualifier:\n",
    );
    writeFileSync(join(dir, "config/agents.yaml"), custom);
    const customPermissions = read("config/permissions.json");
    expect(
      (await runCli(["agent", "add", "helper", "--model", "anthropic/claude-haiku-4-5", "--dir", dir])).code,
    ).toBe(0);
    expect(agentsYaml()).toContain("  # Tuned by hand, keep the budget low!\n\n  qualifier:\n");
    expect(parse(agentsYaml()).agents.helper.model).toBe("anthropic/claude-haiku-4-5");
    expect((await runCli(["agent", "remove", "helper", "--yes", "--dir", dir])).code).toBe(0);
    expect(agentsYaml()).toBe(custom);
    expect(read("config/permissions.json")).toBe(customPermissions);
  });

  it.each([
    [["researcher"], "agent researcher already exists"],
    [["Researcher"], "invalid agent id"],
    [["has_underscore"], "invalid agent id"],
    [["a".repeat(32)], "invalid agent id"],
    [["ok", "--model", "gpt-4o"], '--model "gpt-4o": use "provider/model"'],
    [["ok", "--role", "   "], "--role: the role is empty"],
  ])("refuses %j with exit 2 and changes nothing", async (args, message) => {
    const before = agentsYaml();
    const { code, stderr } = await runCli(["agent", "add", ...args, "--dir", dir]);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(agentsYaml()).toBe(before);
  });

  it("refuses when there is no fleet", async () => {
    const { code, stderr } = await runCli(["agent", "add", "x", "--dir", tempDir()]);
    expect(code).toBe(2);
    expect(stderr).toContain("run `openlegion init` first");
  });

  it("refuses to edit an invalid fleet and prints its issues", async () => {
    writeFileSync(
      join(dir, "config/agents.yaml"),
      agentsYaml().replace('    role: "Lead qualifier"', "    modle: x"),
    );
    const { code, stderr } = await runCli(["agent", "add", "x", "--dir", dir]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^config\/agents\.yaml:\d+:\d+ agents\.qualifier\.modle: /m);
  });

  it("asks role and model on a terminal", async () => {
    const { prompts, asked } = scriptedPrompts(["Data analyst", "gemini/gemini-2.5-pro"]);
    expect((await runCli(["agent", "add", "analyst", "--dir", dir], { isTTY: true, prompts })).code).toBe(0);
    expect(asked.map((q) => q.kind)).toEqual(["input", "input"]);
    expect(asked[1]?.default).toBe("openai/gpt-4o-mini");
    expect(parse(agentsYaml()).agents.analyst).toMatchObject({
      role: "Data analyst",
      model: "gemini/gemini-2.5-pro",
    });
  });

  it("without a name asks for one on a terminal, and exits 2 with the usage otherwise", async () => {
    const before = agentsYaml();
    const piped = await runCli(["agent", "add", "--dir", dir]);
    expect(piped.code).toBe(2);
    expect(piped.stderr).toContain("agent add needs the new agent's name: openlegion agent add <name>");
    expect(agentsYaml()).toBe(before);

    const { prompts, asked } = scriptedPrompts(["triage", "Support triage", ""]);
    expect((await runCli(["agent", "add", "--dir", dir], { isTTY: true, prompts })).code).toBe(0);
    expect(asked[0]?.message).toMatch(/^Name of the new agent/);
    expect(parse(agentsYaml()).agents.triage.role).toBe("Support triage");
    // The name is checked as it is typed: an existing agent is refused at the prompt.
    const again = scriptedPrompts(["triage"]);
    const taken = await runCli(["agent", "add", "--dir", dir], { isTTY: true, prompts: again.prompts });
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain("triage already exists");
  });
});

describe("openlegion plan", () => {
  it("names the Compose command this host has in the apply hint, and only openlegion up when there is none", async () => {
    appendFileSync(join(dir, ".env"), "OPENLEGION_CRED_OPENAI_API_KEY=sk-test\n");
    const bin = tempDir();
    const compose = join(bin, "my-compose");
    // A stand-in Compose binary: all plan asks of it is its version.
    writeFileSync(compose, '#!/bin/sh\n[ "$1 $2" = "version --short" ] && echo 2.29.1\n', { mode: 0o755 });
    const found = await runCli(["plan", dir], { env: { OPENLEGION_COMPOSE: compose } });
    expect(found.code, found.stderr).toBe(0);
    expect(found.stdout).toContain(
      `apply: openlegion up (or: openlegion render && ${compose} up -d --remove-orphans)\n`,
    );
    const none = await runCli(["plan", dir], { env: { OPENLEGION_COMPOSE: join(bin, "missing") } });
    expect(none.stdout).toMatch(/^apply: openlegion up$/m);
  });
});

describe("openlegion agent list", () => {
  it("prints a table of id, role, model and budget", async () => {
    const { code, stdout } = await runCli(["agent", "list", "--dir", dir]);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ID\s+ROLE\s+MODEL\s+BUDGET$/);
    expect(lines[3]).toMatch(
      /^researcher\s+Prospect researcher\s+openai\/gpt-4o-mini\s+\$5\.00\/day, \$100\.00\/month$/,
    );
    expect(lines).toHaveLength(4);
  });

  it("--json gives the same rows as data, resolving the default model", async () => {
    await runCli(["agent", "add", "bare", "--dir", dir]);
    const { code, stdout } = await runCli(["agent", "list", "--json", "--dir", dir]);
    expect(code).toBe(0);
    const rows = JSON.parse(stdout);
    expect(rows.map((r: { id: string }) => r.id)).toEqual(["bare", "outreach", "qualifier", "researcher"]);
    expect(rows[0]).toEqual({
      id: "bare",
      role: "assistant",
      model: "openai/gpt-4o-mini",
      budget: { daily_usd: 10, monthly_usd: 200 },
    });
  });

  it("uses the current directory by default", async () => {
    expect((await runCli(["agent", "list"], { cwd: dir })).stdout).toContain("qualifier");
  });
});

describe("openlegion agent remove", () => {
  it("refuses an agent a workflow step uses, and --force removes it with a warning", async () => {
    const before = agentsYaml();
    const refused = await runCli(["agent", "remove", "outreach", "--yes", "--dir", dir]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("workflow prospect_pipeline step outreach");
    expect(agentsYaml()).toBe(before);

    const forced = await runCli(["agent", "remove", "outreach", "--yes", "--force", "--dir", dir]);
    expect(forced.code).toBe(0);
    expect(forced.stderr).toContain("warning: workflow prospect_pipeline step outreach still names outreach");
    expect(parse(agentsYaml()).agents.outreach).toBeUndefined();
    expect(permissions().outreach).toBeUndefined();
    expect(permissions().qualifier.can_message).toEqual(["researcher"]);
    expect(forced.stdout).toContain("can_message no longer lists outreach for: qualifier");
  });

  it("removes an unused agent and the can_message grants naming it; the fleet stays valid", async () => {
    await runCli(["agent", "add", "helper", "--dir", dir]);
    const perms = permissions();
    perms.researcher.can_message.push("helper");
    writeFileSync(join(dir, "config/permissions.json"), `${JSON.stringify(perms, null, 2)}\n`);
    const { code } = await runCli(["agent", "remove", "helper", "--yes", "--dir", dir]);
    expect(code).toBe(0);
    expect(permissions().researcher.can_message).toEqual(["qualifier"]);
    expect((await loadFleet(dir)).agents).toHaveLength(3);
  });

  it("also refuses agents named by schedules and watchers", async () => {
    await runCli(["agent", "add", "helper", "--dir", dir]);
    writeFileSync(
      join(dir, "config/watchers.yaml"),
      'watchers:\n  - path: "/data/inbox"\n    agent: helper\n    message: "New file {filename}"\n',
    );
    const { code, stderr } = await runCli(["agent", "remove", "helper", "--yes", "--dir", dir]);
    expect(code).toBe(2);
    expect(stderr).toContain("watchers.yaml /data/inbox");
  });

  it("refuses an unknown agent (exit 2), listing the known ones", async () => {
    const { code, stderr } = await runCli(["agent", "remove", "ghost", "--yes", "--dir", dir]);
    expect(code).toBe(2);
    expect(stderr).toContain("no agent named ghost");
    expect(stderr).toContain("outreach, qualifier, researcher");
  });

  it("needs --yes without a terminal", async () => {
    await runCli(["agent", "add", "helper", "--dir", dir]);
    const { code, stderr } = await runCli(["agent", "remove", "helper", "--dir", dir]);
    expect(code).toBe(2);
    expect(stderr).toContain("pass --yes");
  });

  it("asks for confirmation on a terminal; no keeps the agent (exit 1)", async () => {
    await runCli(["agent", "add", "helper", "--dir", dir]);
    const before = agentsYaml();
    const no = scriptedPrompts([false]);
    expect(
      (await runCli(["agent", "remove", "helper", "--dir", dir], { isTTY: true, prompts: no.prompts })).code,
    ).toBe(1);
    expect(no.asked[0]?.kind).toBe("confirm");
    expect(agentsYaml()).toBe(before);
    const yes = scriptedPrompts([true]);
    expect(
      (await runCli(["agent", "remove", "helper", "--dir", dir], { isTTY: true, prompts: yes.prompts })).code,
    ).toBe(0);
    expect(parse(agentsYaml()).agents.helper).toBeUndefined();
  });
});
