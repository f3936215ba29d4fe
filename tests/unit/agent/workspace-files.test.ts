import { mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isCorrection } from "../../../services/agent/core/corrections.js";
import { assembleSystemPrompt, WORKSPACE_MAX_CHARS } from "../../../services/agent/core/prompt.js";
import { ToolRegistry } from "../../../services/agent/tools/registry.js";
import type { ToolContext } from "../../../services/agent/tools/types.js";
import { HISTORY_DIR, updateWorkspaceTool } from "../../../services/agent/tools/update-workspace.js";

describe("update_workspace", () => {
  let root: string;
  let ctx: ToolContext;
  const reg = new ToolRegistry([updateWorkspaceTool]);
  beforeEach(() => {
    root = realpathSync(mkdtempSync(join(tmpdir(), "ol-ws-")));
    ctx = { dataRoot: root, log: pino({ level: "silent" }) } as unknown as ToolContext;
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("keeps the last 20 versions of a file", async () => {
    for (let i = 1; i <= 25; i++) {
      const r = await reg.execute(
        "update_workspace",
        { file: "USER.md", content: `# User\nversion ${i}\n` },
        ctx,
      );
      expect(r.ok).toBe(true);
    }
    expect(readFileSync(join(root, "USER.md"), "utf8")).toBe("# User\nversion 25\n");
    const dir = join(root, HISTORY_DIR, "USER.md");
    const kept = readdirSync(dir).sort();
    expect(kept).toHaveLength(20);
    // The 24 earlier versions were saved; the oldest 4 were pruned.
    expect(readFileSync(join(dir, kept[0]!), "utf8")).toBe("# User\nversion 5\n");
    expect(readFileSync(join(dir, kept.at(-1)!), "utf8")).toBe("# User\nversion 24\n");
  });

  it("appends, caps the size, and refuses the operator's files and HEARTBEAT.md", async () => {
    writeFileSync(join(root, "MEMORY.md"), "# Memory");
    await reg.execute("update_workspace", { file: "MEMORY.md", content: "- likes tea", append: true }, ctx);
    expect(readFileSync(join(root, "MEMORY.md"), "utf8")).toBe("# Memory\n- likes tea");
    const big = await reg.execute(
      "update_workspace",
      { file: "MEMORY.md", content: "x".repeat(40_000) },
      ctx,
    );
    expect(big.code).toBe("OL_ERR_AGENT_TOOL_TOO_LARGE");
    for (const file of ["HEARTBEAT.md", "SOUL.md", "AGENTS.md"]) {
      const r = await reg.execute("update_workspace", { file, content: "x" }, ctx);
      expect(r.code).toBe("OL_ERR_AGENT_TOOL_INVALID_ARGS");
    }
  });
});

describe("workspace in the system prompt", () => {
  it("caps what the workspace files add together, with a notice naming the cut", () => {
    const big = "ж".repeat(15_000);
    const prompt = assembleSystemPrompt({
      agentId: "a",
      role: "r",
      workspace: { agents: big, soul: big, user: big, memory: big },
      learnings: {},
      tools: [],
    });
    expect(prompt.match(/ж+/g)!.reduce((n, s) => n + s.length, 0)).toBe(WORKSPACE_MAX_CHARS);
    expect(prompt).toContain("share of this prompt (40000 characters) is used up");
  });
});

describe("corrections", () => {
  it("recognises a correction at the start of a message, not anywhere", () => {
    for (const m of [
      "No, the meeting is on Friday",
      "Actually, my name is Bob",
      "that's wrong: it is 4",
      "I meant Paris",
    ])
      expect(isCorrection(m)).toBe(true);
    for (const m of ["Nobody knows", "Is it actually Friday?", "Write a note", "Notes are in /data"])
      expect(isCorrection(m)).toBe(false);
  });
});
