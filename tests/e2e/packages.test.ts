/**
 * Issue 18 item 3, in real Docker: `openlegion build` bakes an MCP server's npm package and a Debian
 * package into the fleet's derived agent image, pins both in config/packages.lock.json, and the agent
 * (which has no route to any registry, and no npm) uses the MCP tool in a chat with the fake
 * provider. The seed's MCP config works unchanged except for naming the package.
 * Traffic goes only to containers this test creates; the build itself reaches npm and Debian.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { textOf } from "./helpers/fake-llm.js";
import { docker, dockerReady, shIn } from "./helpers/fleet.js";
import { E2eFleet } from "./helpers/fleet-setup.js";

const HAVE_DOCKER = await dockerReady();
const FS_VERSION = "2026.8.31";

describe.skipIf(!HAVE_DOCKER)("fleet packages baked at build time (real Docker)", () => {
  const fleet = new E2eFleet(`sk-e2e-pkg-${Date.now().toString(36)}`);
  const { dir } = fleet;
  let ref = "";

  beforeAll(async () => {
    await fleet.init("starter");
    const path = join(dir, "config", "agents.yaml");
    const agents = parse(readFileSync(path, "utf8"));
    // The seed's filesystem server as the seed writes it, plus the package that provides it.
    agents.agents.assistant.mcp_servers = [
      {
        name: "filesystem",
        package: `@modelcontextprotocol/server-filesystem@${FS_VERSION}`,
        command: "mcp-server-filesystem",
        args: ["/data"],
      },
    ];
    agents.agents.assistant.image_packages = { apt: ["jq"] };
    writeFileSync(path, stringify(agents));
  }, 300_000);

  afterAll(async () => {
    await fleet.destroy();
    if (ref) await docker(["image", "rm", "-f", ref], true);
  }, 180_000);

  it("build bakes the npm and Debian packages and pins them in config/packages.lock.json", async () => {
    const build = await fleet.cli(["build", dir]);
    expect(build.code, build.stdout + build.stderr).toBe(0);
    ref = /✓ built (openlegion\/agent-packages:\S+)/.exec(build.stdout)?.[1] ?? "";
    expect(ref).not.toBe("");
    const lock = JSON.parse(readFileSync(join(dir, "config", "packages.lock.json"), "utf8"));
    expect(lock.request).toEqual({
      apt: ["jq"],
      npm: [`@modelcontextprotocol/server-filesystem@${FS_VERSION}`],
    });
    expect(lock.apt.jq).toMatch(/^\d/);
    expect(lock.npm_lock.packages["node_modules/@modelcontextprotocol/server-filesystem"].version).toBe(
      FS_VERSION,
    );
    // Offline after build: both are in the image, with no network at all.
    const offline = await docker([
      "run",
      "--rm",
      "--network",
      "none",
      "--entrypoint",
      "sh",
      ref,
      "-c",
      "jq --version && command -v mcp-server-filesystem && id -u && ! command -v npm",
    ]);
    expect(offline).toMatch(/^jq-/);
    expect(offline).toContain("/opt/openlegion/packages/node_modules/.bin/mcp-server-filesystem");
    expect(offline).toContain("1000");

    // A second build installs exactly the pinned versions.
    const again = await fleet.cli(["build", dir, "--only", "agent"]);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toContain("pinned by config/packages.lock.json");
  }, 1_200_000);

  it("the agent runs on the derived image and uses the MCP tool in a chat", async () => {
    const up = await fleet.cli(["up", dir, "-d", "--timeout", "240"]);
    expect(up.code, up.stdout + up.stderr).toBe(0);
    await fleet.locateFake();
    const agent = await fleet.container("agent-assistant");
    expect((await docker(["inspect", "--format", "{{.Config.Image}}", agent])).trim()).toBe(ref);
    expect((await shIn(agent, "jq --version")).stdout).toMatch(/^jq-/);

    await fleet.fake.script(
      { toolCalls: [{ name: "list_allowed_directories", args: {} }] },
      { text: "listed the directories", usage: { input: 20, output: 5 } },
    );
    const chat = await fleet.cli([
      "chat",
      "assistant",
      "--dir",
      dir,
      "-m",
      "which directories may you read?",
    ]);
    expect(chat.code, chat.stderr).toBe(0);
    expect(chat.stdout).toContain("listed the directories");
    const last = (await fleet.fake.chats()).at(-1);
    const tool = last ? textOf(last, ["tool"]) : "";
    expect(tool).toContain('untrusted output of MCP server "filesystem"');
    expect(tool).toContain("/data");
  }, 600_000);

  it("image: toolbox adds Python 3, pip, git, curl, jq, sqlite3, ripgrep and build-essential; still non-root on a read-only rootfs", async () => {
    const path = join(dir, "config", "agents.yaml");
    const agents = parse(readFileSync(path, "utf8"));
    agents.agents.assistant.image = "toolbox";
    writeFileSync(path, stringify(agents));
    const build = await fleet.cli(["build", dir, "--only", "agent"]);
    expect(build.code, build.stdout + build.stderr).toBe(0);
    const toolbox = /✓ built (openlegion\/agent-packages:\S+)/.exec(build.stdout)?.[1] ?? "";
    expect(toolbox).not.toBe(ref);
    const previous = ref;
    ref = toolbox;
    await docker(["image", "rm", "-f", previous], true);
    const tools = await docker([
      "run",
      "--rm",
      "--network",
      "none",
      "--read-only",
      "--user",
      "1000:1000",
      "--cap-drop",
      "ALL",
      "--security-opt",
      "no-new-privileges",
      "--entrypoint",
      "sh",
      toolbox,
      "-c",
      "python3 --version && pip --version && git --version && curl --version | head -1 && jq --version && sqlite3 --version && rg --version | head -1 && gcc --version | head -1 && make --version | head -1 && id -u",
    ]);
    for (const want of ["Python 3", "pip ", "git version", "curl ", "jq-", "ripgrep", "gcc", "GNU Make"])
      expect(tools).toContain(want);
    expect(tools.trim().split("\n").at(-1)).toBe("1000");
    const size = async (image: string) =>
      Number((await docker(["image", "inspect", "--format", "{{.Size}}", image])).trim());
    const agentBytes = await size("openlegion/agent:0.1.0");
    const toolboxBytes = await size(toolbox);
    expect(toolboxBytes).toBeGreaterThan(agentBytes);
    console.log(
      `image sizes: openlegion/agent ${(agentBytes / 1e6).toFixed(0)} MB, toolbox ${(toolboxBytes / 1e6).toFixed(0)} MB`,
    );
  }, 1_200_000);
});
