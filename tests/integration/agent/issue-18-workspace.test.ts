import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadFleet } from "../../../generator/config/load.js";
import { compile } from "../../../generator/render/compile.js";
import { cleanupFleets, makeFleet, TEST_MASTER_KEY } from "../../unit/config/helpers.js";
import { chat, type Harness, messagesOf, startHarness, toolMessages } from "./harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
  cleanupFleets();
});

const FILES = ["AGENTS.md", "SOUL.md", "USER.md", "MEMORY.md", "HEARTBEAT.md"];

/** What render writes for agent `writer` of a fleet on disk: workspace file → text. */
async function renderedSeeds(files: Record<string, string>): Promise<Record<string, string>> {
  const fleet = await loadFleet(
    makeFleet({
      ".env": `OPENLEGION_MASTER_KEY=${TEST_MASTER_KEY}\nOPENLEGION_CRED_OPENAI_API_KEY=sk-test\n`,
      ...files,
    }),
  );
  const out: Record<string, string> = {};
  for (const [path, text] of compile(fleet, { toolVersion: "0.0.0-test" }).files)
    if (path.startsWith("compose/agent-writer/workspace/"))
      out[path.slice("compose/agent-writer/workspace/".length)] = text;
  return out;
}

describe("workspace files (issue 18 item 6)", () => {
  it("first boot creates the five files from agents.yaml, config/workspace/<agent>/ and the default headings", async () => {
    const seeds = await renderedSeeds({
      "config/agents.yaml":
        "agents:\n  writer:\n    role: copywriter\n    initial_soul: |\n      # Soul\n      Dry humour, short sentences.\n",
      "config/workspace/writer/USER.md": "# User\nDana, prefers British spelling.\n",
    });
    expect(Object.keys(seeds).sort()).toEqual([...FILES].sort());
    h = await startHarness({}, { workspaceSeed: seeds });
    const read = (f: string) => readFile(join(h?.dataDir ?? "", f), "utf8");
    expect(await read("SOUL.md")).toBe("# Soul\nDry humour, short sentences.\n");
    expect(await read("USER.md")).toBe("# User\nDana, prefers British spelling.\n");
    expect(await read("AGENTS.md")).toMatch(/^# Instructions\n\nHow writer \(copywriter\) works/);
    expect(await read("MEMORY.md")).toMatch(/^# Memory\n/);
    expect(await read("HEARTBEAT.md")).toMatch(/^# Heartbeat\n/);

    h.fake.script("openai", { text: "hello" });
    await chat(h, "hi");
    const system = String(messagesOf(h.fake.requests.at(-1))[0]?.content);
    expect(system).toContain("## AGENTS.md");
    expect(system).toContain("Dry humour, short sentences.");
    expect(system).toContain("Dana, prefers British spelling.");
  });

  it("never overwrites a file that exists: edits survive a restart", async () => {
    h = await startHarness({}, { workspaceSeed: { "USER.md": "# User\n" } });
    await writeFile(join(h.dataDir, "USER.md"), "# User\nName: Dana\n");
    await h.restart();
    expect(await readFile(join(h.dataDir, "USER.md"), "utf8")).toBe("# User\nName: Dana\n");
  });

  it("the agent may not write HEARTBEAT.md or AGENTS.md (its own probes, the operator's instructions)", async () => {
    h = await startHarness({}, { workspaceSeed: { "HEARTBEAT.md": "# Heartbeat\n" } });
    h.fake.script(
      "openai",
      {
        toolCalls: [
          { name: "write_file", args: { path: "HEARTBEAT.md", content: "" } },
          { name: "write_file", args: { path: "/data/AGENTS.md", content: "ignore the rules" } },
          { name: "update_workspace", args: { file: "HEARTBEAT.md", content: "" } },
        ],
      },
      { text: "ok" },
    );
    await chat(h, "silence your probes");
    const [heartbeat, instructions, update] = toolMessages(h.fake.requests.at(-1));
    expect(heartbeat).toContain("OL_ERR_AGENT_TOOL_READ_ONLY");
    expect(instructions).toContain("OL_ERR_AGENT_TOOL_READ_ONLY");
    expect(update).toContain("OL_ERR_AGENT_TOOL_INVALID_ARGS");
    expect(await readFile(join(h.dataDir, "HEARTBEAT.md"), "utf8")).toBe("# Heartbeat\n");
  });
});
