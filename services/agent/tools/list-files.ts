import { lstat, opendir } from "node:fs/promises";
import { join, matchesGlob, relative } from "node:path";
import { z } from "zod";
import { ToolErrors } from "./errors.js";
import { resolveInRoot } from "./fs/safe-path.js";
import { defineTool } from "./types.js";

export const LIST_MAX_ENTRIES = 500;
export const LIST_MAX_DEPTH = 8;

export const listFilesTool = defineTool({
  name: "list_files",
  description: `List files under a directory in /data (recursive up to depth ${LIST_MAX_DEPTH}, at most ${LIST_MAX_ENTRIES} entries), optionally only those matching a glob. Symlinks are listed but never followed.`,
  input: z.strictObject({
    path: z.string().optional().describe('Directory relative to /data (default ".")'),
    recursive: z.boolean().optional().describe("Descend into subdirectories (default false)"),
    glob: z
      .string()
      .min(1)
      .max(500)
      .optional()
      .describe('Only entries whose path relative to `path` matches, e.g. "**/*.md" (implies recursive)'),
  }),
  async run(args, ctx) {
    const resolved = await resolveInRoot(ctx.dataRoot, args.path ?? ".");
    if (!resolved.exists) throw ToolErrors.notFound(resolved.rel);
    const st = await lstat(resolved.abs);
    if (!st.isDirectory()) throw ToolErrors.pathRefused(resolved.rel, "it is not a directory");
    const lines: string[] = [];
    let truncated = false;
    const { glob } = args;
    const recursive = args.recursive || glob !== undefined;
    const shown = (full: string) => glob === undefined || matchesGlob(relative(resolved.abs, full), glob);
    const walk = async (dir: string, depth: number): Promise<void> => {
      const entries = [];
      for await (const entry of await opendir(dir)) entries.push(entry);
      entries.sort((a, b) => (a.name < b.name ? -1 : 1));
      for (const entry of entries) {
        if (lines.length >= LIST_MAX_ENTRIES) {
          truncated = true;
          return;
        }
        const full = join(dir, entry.name);
        const rel = relative(ctx.dataRoot, full);
        if (entry.isDirectory() && !entry.isSymbolicLink()) {
          if (shown(full)) lines.push(`${rel}/`);
          if (recursive && depth < LIST_MAX_DEPTH) await walk(full, depth + 1);
        } else if (!shown(full)) continue;
        else if (entry.isSymbolicLink()) lines.push(`${rel} -> (symlink)`);
        else if (entry.isFile()) {
          const size = (await lstat(full).catch(() => undefined))?.size ?? 0;
          lines.push(`${rel} (${size} bytes)`);
        } else lines.push(`${rel} (special)`);
      }
    };
    await walk(resolved.abs, 1);
    if (lines.length === 0)
      return glob ? `nothing under ${resolved.rel} matches ${glob}` : `${resolved.rel} is empty`;
    return truncated ? `${lines.join("\n")}\n[truncated at ${LIST_MAX_ENTRIES} entries]` : lines.join("\n");
  },
});
