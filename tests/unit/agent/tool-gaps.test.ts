import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { MESH_TOOLS, meshToolsFor } from "../../../services/agent/tools/index.js";
import { listFilesTool } from "../../../services/agent/tools/list-files.js";
import { ToolRegistry } from "../../../services/agent/tools/registry.js";
import { defineTool, type ToolContext } from "../../../services/agent/tools/types.js";

const echo = defineTool({
  name: "echo",
  description: "echo",
  input: z.strictObject({ text: z.string() }),
  run: async (args) => args.text,
});

describe("arguments the model invents", () => {
  const ctx = { log: pino({ level: "silent" }) } as unknown as ToolContext;
  const reg = new ToolRegistry([echo]);

  it("are dropped and named in the result instead of failing the call", async () => {
    expect(await reg.execute("echo", { text: "hi", verbose: true, mode: "x" }, ctx)).toEqual({
      ok: true,
      text: "hi\n[note: ignored unknown arguments: verbose, mode]",
    });
  });

  it("do not hide a real argument error", async () => {
    expect(await reg.execute("echo", { text: 1, verbose: true }, ctx)).toMatchObject({
      ok: false,
      code: "OL_ERR_AGENT_TOOL_INVALID_ARGS",
    });
  });
});

describe("list_files with a glob", () => {
  let root: string | undefined;
  afterEach(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("lists only matching entries, at any depth", async () => {
    root = realpathSync(mkdtempSync(join(tmpdir(), "ol-glob-")));
    mkdirSync(join(root, "notes/deep"), { recursive: true });
    writeFileSync(join(root, "notes/a.md"), "a");
    writeFileSync(join(root, "notes/deep/b.md"), "bb");
    writeFileSync(join(root, "notes/c.txt"), "c");
    const reg = new ToolRegistry([listFilesTool]);
    const ctx = { dataRoot: root, log: pino({ level: "silent" }) } as unknown as ToolContext;
    const all = await reg.execute("list_files", { path: "notes", glob: "**/*.md" }, ctx);
    expect(all.text.split("\n")).toEqual(["notes/a.md (1 bytes)", "notes/deep/b.md (2 bytes)"]);
    const top = await reg.execute("list_files", { path: "notes", glob: "*.txt" }, ctx);
    expect(top.text).toBe("notes/c.txt (1 bytes)");
    const none = await reg.execute("list_files", { path: "notes", glob: "*.pdf" }, ctx);
    expect(none.text).toBe("nothing under notes matches *.pdf");
  });
});

describe("mesh tools follow the agent's permissions", () => {
  const names = (grants: Parameters<typeof meshToolsFor>[0]) => meshToolsFor(grants).map((t) => t.name);

  it("offers only the mesh tools some grant makes usable", () => {
    const none = names([]);
    expect(none).not.toContain("send_message");
    expect(none).not.toContain("write_shared_state");
    expect(none).not.toContain("publish_event");
    expect(none).toContain("list_agents");
    const reader = names(["blackboard_read", "can_message"]);
    expect(reader).toEqual(
      expect.arrayContaining(["read_shared_state", "list_shared_state", "send_message"]),
    );
    expect(reader).not.toContain("write_shared_state");
    expect(reader).not.toContain("save_artifact");
  });

  it("offers every mesh tool when the manifest says nothing (an older render)", () => {
    expect(names(undefined)).toEqual(MESH_TOOLS.map((t) => t.name));
  });
});
