import { mkdir, readdir, unlink } from "node:fs/promises";
import { z } from "zod";
import { Workspace } from "../state/workspace.js";
import { ToolErrors } from "./errors.js";
import { resolveInRoot } from "./fs/safe-path.js";
import { defineTool } from "./types.js";
import { writeFileTool } from "./write-file.js";

/**
 * The workspace files the agent keeps itself. AGENTS.md and SOUL.md are the operator's; HEARTBEAT.md
 * declares the agent's health probes, so an agent that could edit it could silence its own alarms.
 */
export const AGENT_WRITABLE = ["USER.md", "MEMORY.md"] as const;
export const WORKSPACE_FILE_MAX_BYTES = 32_000;
export const WORKSPACE_VERSIONS = 20;
export const HISTORY_DIR = ".workspace-history";

export const updateWorkspaceTool = defineTool({
  name: "update_workspace",
  description: `Replace or append to USER.md (who you work for) or MEMORY.md (durable notes); both are in every system prompt. At most ${WORKSPACE_FILE_MAX_BYTES} bytes per file; the last ${WORKSPACE_VERSIONS} versions are kept in ${HISTORY_DIR}/.`,
  input: z.strictObject({
    file: z.enum(AGENT_WRITABLE),
    content: z.string().describe("The new text (or the text to append)"),
    append: z.boolean().optional().describe("Append instead of replacing (default false)"),
  }),
  async run(args, ctx) {
    const current = (await new Workspace(ctx.dataRoot).read(args.file)) ?? "";
    const next = args.append
      ? `${current}${current && !current.endsWith("\n") ? "\n" : ""}${args.content}`
      : args.content;
    const bytes = Buffer.byteLength(next, "utf8");
    if (bytes > WORKSPACE_FILE_MAX_BYTES)
      throw ToolErrors.tooLarge(`${args.file} (${bytes} bytes)`, WORKSPACE_FILE_MAX_BYTES);
    const dir = `${HISTORY_DIR}/${args.file}`;
    if (current !== "") {
      await mkdir((await resolveInRoot(ctx.dataRoot, HISTORY_DIR)).abs, { recursive: true });
      const history = await resolveInRoot(ctx.dataRoot, dir);
      await mkdir(history.abs, { recursive: true });
      const seqs = (await readdir(history.abs))
        .map((n) => /^(\d{6})\.md$/.exec(n)?.[1])
        .filter((n): n is string => n !== undefined)
        .map(Number)
        .sort((a, b) => a - b);
      const seq = (seqs.at(-1) ?? 0) + 1;
      await writeFileTool.run({ path: `${dir}/${String(seq).padStart(6, "0")}.md`, content: current }, ctx);
      for (const old of seqs.slice(0, Math.max(0, seqs.length + 1 - WORKSPACE_VERSIONS)))
        await unlink(`${history.abs}/${String(old).padStart(6, "0")}.md`);
    }
    await writeFileTool.run({ path: args.file, content: next }, ctx);
    return `${args.file} now has ${bytes} bytes${current ? `; the previous version is kept in ${dir}/` : ""}`;
  },
});
