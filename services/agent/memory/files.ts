import { constants } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { openConfined, resolveInRoot } from "../tools/fs/safe-path.js";

/** Appends to workspace files (daily log, MEMORY.md) through the file tools' confinement. */
export interface FileAppender {
  append(rel: string, text: string): Promise<void>;
}

/**
 * The agent controls /data, so `memory/` or MEMORY.md may be a symlink planted to redirect a write; the
 * same checks as write_file apply (no escape from the root, no symlink on the final component).
 */
export const confinedAppender = (root: string): FileAppender => ({
  async append(rel, text) {
    const resolved = await resolveInRoot(root, rel);
    await mkdir(dirname(resolved.abs), { recursive: true });
    const handle = await openConfined(
      root,
      resolved,
      constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND,
    );
    try {
      await handle.writeFile(text, "utf8");
    } finally {
      await handle.close();
    }
  },
});
