import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadFleet } from "../../../generator/config/load.js";
import { addListItemText, removeListItemText } from "../../../generator/edit/mesh-yaml.js";
import { webhookSecret } from "../../../services/common/tokens.js";
import { cleanupTempDirs, runCli, tempDir } from "./helpers.js";

let dir: string;
let agent: string;
let workflow: string;
const meshYaml = () => readFileSync(join(dir, "config/mesh.yaml"), "utf8");
const masterKey = () =>
  /^OPENLEGION_MASTER_KEY=(.+)$/m.exec(readFileSync(join(dir, ".env"), "utf8"))?.[1] ?? "";
const comments = (text: string) => text.split("\n").filter((l) => l.trimStart().startsWith("#"));

beforeEach(async () => {
  dir = tempDir();
  expect((await runCli(["init", dir, "--template", "sales", "--yes"])).code).toBe(0);
  const fleet = await loadFleet(dir);
  agent = fleet.agents[0]?.id ?? "";
  workflow = fleet.workflows[0]?.name ?? "";
  expect(agent && workflow).toBeTruthy();
});
afterEach(cleanupTempDirs);

describe("openlegion webhook add", () => {
  it("adds a webhook in place, keeps every comment, prints the path and the derived secret once", async () => {
    const before = meshYaml();
    const { code, stdout, stderr } = await runCli([
      "webhook",
      "add",
      "github",
      "--agent",
      agent,
      "--dir",
      dir,
    ]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toContain("URL path: POST /webhook/hook/github");
    expect(stdout).toContain(webhookSecret(masterKey(), "github", 1));
    const after = meshYaml();
    expect(comments(after)).toEqual(comments(before));
    expect(after).toMatch(/\n\nwebhooks:\n {2}- name: github\n {4}agent: /);
    const data = parse(after) as Record<string, unknown>;
    expect(data.webhooks).toEqual([{ name: "github", agent }]);
    expect({ ...data, webhooks: undefined }).toEqual({ ...parse(before), webhooks: undefined });
    const fleet = await loadFleet(dir);
    expect(fleet.mesh.webhooks.map((w) => w.name)).toEqual(["github"]);

    const second = await runCli([
      "webhook",
      "add",
      "leads",
      "--agent",
      agent,
      "--workflow",
      workflow,
      "--json",
      "--dir",
      dir,
    ]);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toEqual({
      name: "leads",
      path: "/webhook/hook/leads",
      target: workflow,
      generation: 1,
      secret: webhookSecret(masterKey(), "leads", 1),
    });
    expect((parse(meshYaml()) as { webhooks: unknown }).webhooks).toEqual([
      { name: "github", agent },
      { name: "leads", agent, workflow },
    ]);
  });

  it("refuses duplicates, unknown agents or workflows and bad options with exit 2, writing nothing", async () => {
    expect(
      (await runCli(["webhook", "add", "gh", "--agent", agent, "--message", "New: {payload}", "--dir", dir]))
        .code,
    ).toBe(0);
    const before = meshYaml();
    const cases: [string[], RegExp][] = [
      [["gh", "--agent", agent], /webhook gh already exists/],
      [["other", "--agent", "ghost"], /--agent: no agent named ghost/],
      [["other", "--agent", agent, "--workflow", "nope"], /--workflow: no workflow named nope/],
      [["other", "--agent", agent, "--workflow", workflow, "--message", "x"], /exclude each other/],
      [["Bad Name", "--agent", agent], /invalid webhook name/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(["webhook", "add", ...args, "--dir", dir]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe("");
    }
    expect((await runCli(["webhook", "add", "x", "--dir", dir])).code).toBe(2); // --agent is required
    expect(meshYaml()).toBe(before);
  });

  it("an invalid fleet is reported by the loader and left alone", async () => {
    writeFileSync(join(dir, "config/mesh.yaml"), `${meshYaml()}\nbogus_key: 1\n`);
    const before = meshYaml();
    const r = await runCli(["webhook", "add", "gh", "--agent", agent, "--dir", dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("config/mesh.yaml");
    expect(meshYaml()).toBe(before);
  });
});

describe("openlegion webhook remove", () => {
  it("removes only the named webhook; an unknown name exits 2", async () => {
    await runCli(["webhook", "add", "one", "--agent", agent, "--dir", dir]);
    await runCli(["webhook", "add", "two", "--agent", agent, "--dir", dir]);
    const withBoth = meshYaml();
    const r = await runCli(["webhook", "remove", "one", "--dir", dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Removed webhook one");
    expect((parse(meshYaml()) as { webhooks: unknown }).webhooks).toEqual([{ name: "two", agent }]);
    expect(comments(meshYaml())).toEqual(comments(withBoth));
    const unknown = await runCli(["webhook", "remove", "one", "--dir", dir]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no webhook named one in config\/mesh.yaml \(webhooks: two\)/);
    expect((await runCli(["webhook", "remove", "two", "--dir", dir])).code).toBe(0);
    expect((await loadFleet(dir)).mesh.webhooks).toEqual([]);
  });
});

describe("mesh.yaml list edits (pure)", () => {
  const text = [
    "# top comment",
    "mesh:",
    "  port: 8420 # inline",
    "webhooks: [] # none yet",
    "# tail comment",
    "",
  ].join("\n");

  it("adds to an empty flow list as block style and removes back, keeping comments and other keys", () => {
    const added = addListItemText(text, "webhooks", { name: "a", agent: "x" });
    expect(added).toContain("# top comment");
    expect(added).toContain("port: 8420 # inline");
    expect(added).toContain("# tail comment");
    expect(parse(added)).toEqual({ mesh: { port: 8420 }, webhooks: [{ name: "a", agent: "x" }] });
    const two = addListItemText(added, "webhooks", { name: "b", agent: "y", message: "multi\nline" });
    expect(parse(two).webhooks).toHaveLength(2);
    const removed = removeListItemText(two, "webhooks", "name", "a");
    expect(parse(removed)).toEqual({
      mesh: { port: 8420 },
      webhooks: [{ name: "b", agent: "y", message: "multi\nline" }],
    });
    expect(() => removeListItemText(removed, "webhooks", "name", "zzz")).toThrow(/no webhooks entry/);
  });

  it("creates the section in an empty or comment-only file", () => {
    expect(parse(addListItemText("", "webhooks", { name: "a", agent: "x" }))).toEqual({
      webhooks: [{ name: "a", agent: "x" }],
    });
    const commented = addListItemText("# only a comment\n", "webhooks", { name: "a", agent: "x" });
    expect(commented).toContain("# only a comment");
    expect(parse(commented)).toEqual({ webhooks: [{ name: "a", agent: "x" }] });
    expect(() => addListItemText("- a\n", "webhooks", { name: "a" })).toThrow(/not a map/);
  });
});
