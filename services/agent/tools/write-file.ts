import { constants } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { z } from "zod";
import { ToolErrors } from "./errors.js";
import { openConfined, resolveInRoot } from "./fs/safe-path.js";
import { defineTool } from "./types.js";

export const WRITE_MAX_BYTES = 5_000_000;
/** Operator-authored identity files: the agent reads them, the operator edits them. */
/** The operator's workspace files; HEARTBEAT.md declares the agent's own health probes (docs/skills.md). */
export const READ_ONLY_FILES = new Set(["SOUL.md", "AGENTS.md", "HEARTBEAT.md"]);

export const writeFileTool = defineTool({
  name: "write_file",
  description: `Write or append a text file under /data (parent directories are created). At most ${WRITE_MAX_BYTES} bytes per call. SOUL.md, AGENTS.md and HEARTBEAT.md are read-only.`,
  input: z.strictObject({
    path: z.string().min(1).describe("Path relative to /data (or starting with /data/)"),
    content: z.string().describe("Text to write"),
    append: z.boolean().optional().describe("Append instead of overwriting (default false)"),
  }),
  async run(args, ctx) {
    const bytes = Buffer.byteLength(args.content, "utf8");
    if (bytes > WRITE_MAX_BYTES) throw ToolErrors.tooLarge("content", WRITE_MAX_BYTES);
    const resolved = await resolveInRoot(ctx.dataRoot, args.path);
    if (resolved.rel === ".") throw ToolErrors.pathRefused(args.path, "it is the data root");
    if (READ_ONLY_FILES.has(resolved.rel)) throw ToolErrors.readOnly(resolved.rel);
    if (!resolved.exists) {
      await mkdir(dirname(resolved.abs), { recursive: true });
      // The parent may have been created just now; resolve again so a racing symlink is caught.
      const again = await resolveInRoot(ctx.dataRoot, resolved.rel);
      if (again.abs !== resolved.abs)
        throw ToolErrors.pathRefused(args.path, "the path changed while writing");
    }
    const flags =
      constants.O_WRONLY | constants.O_CREAT | (args.append ? constants.O_APPEND : constants.O_TRUNC);
    const handle = await openConfined(ctx.dataRoot, resolved, flags);
    try {
      const st = await handle.stat();
      if (!st.isFile()) throw ToolErrors.pathRefused(resolved.rel, "it is not a regular file");
      await handle.writeFile(args.content, "utf8");
    } finally {
      await handle.close();
    }
    return `${args.append ? "appended" : "wrote"} ${bytes} bytes to ${resolved.rel}`;
  },
});
