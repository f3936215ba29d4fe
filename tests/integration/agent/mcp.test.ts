import { mkdir, mkdtemp, realpath, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { PINS_FILE } from "../../../services/agent/mcp/index.js";
import type { AgentManifest } from "../../../services/common/contracts/agent-manifest.js";
import type { RecordedRequest } from "../../fakes/llm-provider/index.js";
import { chat, get, type Harness, startHarness, toolMessages, toolsOffered } from "./harness.js";

const require = createRequire(import.meta.url);
/** The real npm MCP servers (dev dependencies), started with this Node like any command. */
const serverBin = (pkg: string) => join(dirname(require.resolve(`${pkg}/package.json`)), "dist/index.js");
const FILESYSTEM = serverBin("@modelcontextprotocol/server-filesystem");
const EVERYTHING = serverBin("@modelcontextprotocol/server-everything");

type Server = AgentManifest["mcp_servers"][number];
const server = (name: string, args: string[], over: Partial<Server> = {}): Server => ({
  name,
  command: process.execPath,
  args,
  env: {},
  secret_env: {},
  timeout_s: 60,
  ...over,
});

type McpStatus = {
  state: string;
  pid: number | null;
  protocol: string | null;
  restarts: number;
  held: string[];
  prompts: string[];
};
const mcpStatus = async (h: Harness, name: string): Promise<McpStatus> => {
  const s = (await (await get(h, "/status")).json()) as { providers: Record<string, McpStatus> };
  return s.providers[`mcp:${name}`]!;
};
const schemaOf = (r: RecordedRequest | undefined, tool: string) => {
  const body = r?.json as { tools?: { function: { name: string; parameters: unknown } }[] } | undefined;
  const tools = body?.tools ?? [];
  return tools.find((t) => t.function.name === tool)?.function.parameters;
};

let h: Harness | undefined;
let dir: string | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe("MCP servers from npm, run by the real agent", () => {
  it("offers the filesystem server's tools with their schemas; a clash with a built-in is prefixed", async () => {
    dir = await realpath(await mkdtemp(join(tmpdir(), "ol-mcp-fs-")));
    await writeFile(join(dir, "note.txt"), "from the MCP filesystem server\n");
    h = await startHarness({ mcp_servers: [server("filesystem", [FILESYSTEM, dir])] });
    h.fake.script(
      "openai",
      { toolCalls: [{ name: "read_text_file", args: { path: join(dir, "note.txt") } }] },
      { text: "read it" },
    );
    expect(await chat(h, "read the note")).toMatchObject({ status: "completed", reply: "read it" });
    const first = h.fake.requests[0];
    const offered = toolsOffered(first);
    // The built-in read_file is unchanged; the server's read_file is exposed under its prefix.
    expect(offered).toContain("read_file");
    expect(offered).toContain("mcp_filesystem_read_file");
    expect(offered).toContain("read_text_file");
    for (const name of offered) expect(name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
    expect(schemaOf(first, "read_text_file")).toMatchObject({
      type: "object",
      properties: { path: { type: "string" } },
      required: ["path"],
    });
    const [result] = toolMessages(h.fake.requests.at(-1));
    expect(result).toContain("from the MCP filesystem server");
    expect(result).toMatch(/^\[untrusted output of MCP server "filesystem"/);
    expect(await mcpStatus(h, "filesystem")).toMatchObject({ state: "ready", protocol: "2025-11-25" });
  });

  it("calls a tool, passes only the configured env, times out without progress, survives with progress", async () => {
    process.env.OL_TEST_AGENT_SECRET = "must-not-leak";
    try {
      const env = { GREETING: "configured-value" };
      h = await startHarness({ mcp_servers: [server("everything", [EVERYTHING], { env, timeout_s: 2 })] });
      h.fake.script(
        "openai",
        {
          toolCalls: [
            { name: "get-sum", args: { a: 2, b: 3 } },
            { name: "get-env", args: {} },
            { name: "trigger-long-running-operation", args: { duration: 4, steps: 1 } },
            { name: "trigger-long-running-operation", args: { duration: 4, steps: 16 } },
          ],
        },
        { text: "done" },
      );
      expect(await chat(h, "use the tools")).toMatchObject({ status: "completed" });
      const [sum, envText, slow, progressing] = toolMessages(h.fake.requests.at(-1));
      expect(sum).toContain("5");
      expect(envText).toContain("configured-value");
      expect(envText).not.toContain("must-not-leak");
      expect(envText).not.toContain("agent-token");
      expect(slow).toMatch(
        /error OL_ERR_AGENT_MCP_TIMEOUT: trigger-long-running-operation did not answer within 2 s/,
      );
      expect(progressing).toContain("Long running operation completed");
    } finally {
      delete process.env.OL_TEST_AGENT_SECRET;
    }
  });

  it("lists and reads the server's resources, and reports its prompts in status", async () => {
    h = await startHarness({ mcp_servers: [server("everything", [EVERYTHING])] });
    const uri = "demo://resource/static/document/architecture.md";
    h.fake.script(
      "openai",
      {
        toolCalls: [
          { name: "mcp_everything_list_resources", args: {} },
          { name: "mcp_everything_read_resource", args: { uri } },
        ],
      },
      { text: "read" },
    );
    await chat(h, "what resources are there?");
    const [list, doc] = toolMessages(h.fake.requests.at(-1));
    expect(list).toContain(uri);
    expect(doc).toContain("Architecture");
    expect(doc).toMatch(/^\[untrusted output of MCP server "everything"/);
    expect((await mcpStatus(h, "everything")).prompts).toContain("simple-prompt");
  });

  it("a crashed server is restarted with backoff; meanwhile its tools answer unavailable", async () => {
    h = await startHarness(
      { mcp_servers: [server("everything", [EVERYTHING])] },
      {
        overrides: {
          mcpRestart: { firstMs: 2_000, maxMs: 2_000, crashes: 5, windowMs: 600_000, startTimeoutMs: 15_000 },
        },
      },
    );
    const before = await mcpStatus(h, "everything");
    expect(before.state).toBe("ready");
    process.kill(before.pid!, "SIGKILL");
    await expect.poll(async () => (await mcpStatus(h!, "everything")).state).toBe("restarting");
    h.fake.script("openai", { toolCalls: [{ name: "get-sum", args: { a: 1, b: 1 } }] }, { text: "down" });
    await chat(h, "add while down");
    expect(toolMessages(h.fake.requests.at(-1))[0]).toMatch(
      /error OL_ERR_AGENT_MCP_UNAVAILABLE: MCP server \\"everything\\" is unavailable/,
    );
    await expect
      .poll(async () => mcpStatus(h!, "everything"), { timeout: 20_000, interval: 200 })
      .toMatchObject({ state: "ready", restarts: 1 });
    h.fake.script("openai", { toolCalls: [{ name: "get-sum", args: { a: 2, b: 2 } }] }, { text: "back" });
    await chat(h, "add again");
    // Chat history keeps the earlier (failed) result: the new one is the last tool message.
    expect(toolMessages(h.fake.requests.at(-1)).at(-1)).toContain("4");
  });

  it("holds a tool whose definition changed since it was pinned (rug pull) and offers the rest", async () => {
    h = await startHarness({ mcp_servers: [server("everything", [EVERYTHING])] });
    const pins = join(h.dataDir, PINS_FILE);
    // A pin from an earlier boot with another definition of get-sum.
    await mkdir(dirname(pins), { recursive: true });
    await writeFile(pins, JSON.stringify({ everything: { "get-sum": "0".repeat(64) } }));
    await h.restart();
    expect((await mcpStatus(h, "everything")).held).toEqual(["get-sum"]);
    h.fake.script("openai", { text: "ok" });
    await chat(h, "hi");
    const offered = toolsOffered(h.fake.requests.at(-1));
    expect(offered).toContain("echo");
    expect(offered).not.toContain("get-sum");
  });
});
