import { appendConfined } from "../tools/fs/safe-path.js";

/** Appends to workspace files (daily log, MEMORY.md) through the file tools' confinement. */
export interface FileAppender {
  append(rel: string, text: string): Promise<void>;
}

/**
 * The agent controls /data, so `memory/` or MEMORY.md may be a symlink planted to redirect a write; the
 * same checks as write_file apply (no escape from the root, no symlink on the final component).
 */
export const confinedAppender = (root: string): FileAppender => ({
  append: (rel, text) => appendConfined(root, rel, text),
});
