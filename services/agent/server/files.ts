import { constants } from "node:fs";
import { lstat, opendir } from "node:fs/promises";
import { join } from "node:path";
import type { z } from "zod";
import type { agentFilesSchema } from "../../common/contracts/agent-routes.js";
import { ToolErrors } from "../tools/errors.js";
import { openConfined, resolveInRoot } from "../tools/fs/safe-path.js";

/** Entries listed per directory, and bytes served per file (the dashboard's workspace view). */
export const FILES_MAX_ENTRIES = 500;
export const FILE_MAX_BYTES = 5 * 1024 * 1024;

/**
 * One directory of the data root, not recursive, through the file tools' confinement (no `..`, no
 * symlink out of /data; symlinks are listed, never followed).
 */
export async function listDir(root: string, path: string): Promise<z.input<typeof agentFilesSchema>> {
  const resolved = await resolveInRoot(root, path);
  if (!resolved.exists) throw ToolErrors.notFound(resolved.rel);
  if (!(await lstat(resolved.abs)).isDirectory())
    throw ToolErrors.pathRefused(resolved.rel, "it is not a directory");
  const entries: z.input<typeof agentFilesSchema>["entries"] = [];
  let truncated = false;
  for await (const e of await opendir(resolved.abs)) {
    if (entries.length >= FILES_MAX_ENTRIES) {
      truncated = true;
      break;
    }
    const st = await lstat(join(resolved.abs, e.name)).catch(() => undefined);
    const kind = e.isSymbolicLink() ? "symlink" : e.isDirectory() ? "dir" : e.isFile() ? "file" : "other";
    entries.push({ name: e.name, kind, size: st?.size ?? 0, mtime_ms: Math.round(st?.mtimeMs ?? 0) });
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : 1));
  return { path: resolved.rel, entries, truncated };
}

/** A regular file's bytes (at most FILE_MAX_BYTES), opened without following a final symlink. */
export async function readWhole(root: string, path: string): Promise<Buffer> {
  const resolved = await resolveInRoot(root, path);
  if (!resolved.exists) throw ToolErrors.notFound(resolved.rel);
  const handle = await openConfined(root, resolved, constants.O_RDONLY);
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw ToolErrors.pathRefused(resolved.rel, "it is not a regular file");
    if (st.size > FILE_MAX_BYTES) throw ToolErrors.tooLarge(`file ${resolved.rel}`, FILE_MAX_BYTES);
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}
