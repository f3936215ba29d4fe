import { existsSync } from "node:fs";
import { chmod, lstat, readdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { cli, removeDir, templateFleet } from "../../fixtures/render/cli.js";

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await removeDir(dir);
});
async function fleet(template: "starter" | "sales" = "sales"): Promise<string> {
  const dir = await templateFleet(template);
  dirs.push(dir);
  return dir;
}
const read = (dir: string, rel: string) => readFile(join(dir, rel), "utf8");

function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([k, v]) => [k, reverseKeys(v)]),
    );
  }
  return value;
}

describe("openlegion render", () => {
  it("writes docker-compose.yml, compose/ and 0700/0444 secrets, byte-identical on a second run", async () => {
    const dir = await fleet();
    const first = await cli(["render", dir], dir);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/rendered 3 agents: 27 written, 0 unchanged, 0 removed; 8 secret files/);
    const compose = await read(dir, "docker-compose.yml");
    expect((await stat(join(dir, ".openlegion/secrets"))).mode & 0o777).toBe(0o700);
    expect((await stat(join(dir, ".openlegion"))).mode & 0o777).toBe(0o700);
    expect((await stat(join(dir, ".openlegion/secrets/master_key"))).mode & 0o777).toBe(0o444);
    const second = await cli(["render", dir], dir);
    expect(second.stdout).toMatch(/0 written, 27 unchanged/);
    expect(await read(dir, "docker-compose.yml")).toBe(compose);
    expect(first.stdout + first.stderr).not.toContain("sk-test-openai-key");
  });

  it("--check passes on fresh output, and fails with a unified diff (writing nothing) when stale", async () => {
    const dir = await fleet();
    await cli(["render", dir], dir);
    expect((await cli(["render", "--check"], dir)).code).toBe(0);
    const path = join(dir, "docker-compose.yml");
    const edited = (await read(dir, "docker-compose.yml")).replace("mem_limit: 512m", "mem_limit: 4g");
    await writeFile(path, edited);
    const check = await cli(["render", dir, "--check"], dir);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain("--- a/docker-compose.yml");
    expect(check.stdout).toMatch(/^-\s+mem_limit: 4g$/m);
    expect(check.stderr).toMatch(/stale: docker-compose.yml\n {2}run: openlegion render/);
    expect(await read(dir, "docker-compose.yml")).toBe(edited);
  });

  it("gives the same output for reordered, reformatted CRLF config files", async () => {
    const dir = await fleet();
    await cli(["render", dir], dir);
    const agentsPath = join(dir, "config/agents.yaml");
    const reordered = stringify(reverseKeys(parse(await readFile(agentsPath, "utf8"))), {
      indent: 4,
    }).replace(/\n/g, "\r\n");
    await writeFile(agentsPath, reordered);
    const check = await cli(["render", dir, "--check"], dir);
    expect(check.code, check.stdout).toBe(0);
  });

  it("removes the generated files and secret of a deleted agent", async () => {
    const dir = await fleet("starter");
    const agentsPath = join(dir, "config/agents.yaml");
    const original = await readFile(agentsPath, "utf8");
    const doc = parse(original) as { agents: Record<string, unknown> };
    doc.agents.extra = { role: "temporary helper" };
    await writeFile(agentsPath, stringify(doc));
    expect((await cli(["render", dir], dir)).code).toBe(0);
    expect(existsSync(join(dir, "compose/agent-extra/manifest.json"))).toBe(true);
    await writeFile(agentsPath, original);
    const stale = await cli(["render", dir, "--check"], dir);
    expect(stale.code, stale.stderr).toBe(1);
    expect(stale.stderr).toContain("compose/agent-extra/manifest.json");
    const run = await cli(["render", dir], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(existsSync(join(dir, "compose/agent-extra"))).toBe(false);
    expect(existsSync(join(dir, ".openlegion/secrets/agent_token_extra"))).toBe(false);
    expect(await read(dir, "docker-compose.yml")).not.toContain("extra");
    expect((await cli(["render", dir, "--check"], dir)).code).toBe(0);
  });

  it("repairs a tampered secret and removes the secret file of an agent that no longer exists", async () => {
    const dir = await fleet("starter");
    expect((await cli(["render", dir], dir)).code).toBe(0);
    const secrets = join(dir, ".openlegion/secrets");
    const token = await read(dir, ".openlegion/secrets/mesh_token_assistant");
    await chmod(join(secrets, "mesh_token_assistant"), 0o644);
    await writeFile(join(secrets, "mesh_token_assistant"), "tampered");
    await writeFile(join(secrets, "mesh_token_ghost"), token, { mode: 0o444 });
    const run = await cli(["render", dir], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/0 written, \d+ unchanged, 1 removed/);
    expect(await read(dir, ".openlegion/secrets/mesh_token_assistant")).toBe(token);
    expect((await stat(join(secrets, "mesh_token_assistant"))).mode & 0o777).toBe(0o444);
    expect(existsSync(join(secrets, "mesh_token_ghost"))).toBe(false);
    expect((await readdir(secrets)).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });

  it("replaces a planted symlink instead of writing through it", async () => {
    const dir = await fleet("starter");
    expect((await cli(["render", dir], dir)).code).toBe(0);
    const target = join(dir, "outside.txt");
    for (const rel of ["compose/agent-assistant/manifest.json", ".openlegion/secrets/mesh_token_assistant"]) {
      await rm(join(dir, rel), { force: true });
      await symlink(target, join(dir, rel));
      const run = await cli(["render", dir], dir);
      expect(run.code, run.stderr).toBe(0);
      expect((await lstat(join(dir, rel))).isSymbolicLink(), rel).toBe(false);
      expect(existsSync(target), rel).toBe(false);
    }
    expect((await cli(["render", dir, "--check"], dir)).code).toBe(0);
  });

  it("fails with exit 2 and writes nothing when .env lacks a key the fleet needs", async () => {
    const dir = await fleet("starter");
    const envPath = join(dir, ".env");
    await writeFile(
      envPath,
      (await readFile(envPath, "utf8")).replace(/^OPENLEGION_CRED_OPENAI_API_KEY=.*$/m, ""),
    );
    const run = await cli(["render", dir], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /\.env is missing OPENLEGION_CRED_OPENAI_API_KEY \(needed by provider openai\)/,
    );
    expect(existsSync(join(dir, "docker-compose.yml"))).toBe(false);
    expect(existsSync(join(dir, ".openlegion"))).toBe(false);
  });

  it("--out writes elsewhere with host paths rebased onto the fleet directory", async () => {
    const dir = await fleet("starter");
    const out = join(dir, "deploy");
    const run = await cli(["render", dir, "--out", out], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(existsSync(join(out, "docker-compose.yml"))).toBe(true);
    expect(existsSync(join(out, ".openlegion/secrets/master_key"))).toBe(true);
    expect(existsSync(join(dir, "docker-compose.yml"))).toBe(false);
  });
});
