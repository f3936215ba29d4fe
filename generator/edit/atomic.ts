import { randomBytes } from "node:crypto";
import { chmod, mkdir, open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

export interface StagedFile {
  /** Final path. */
  path: string;
  /** Temporary sibling holding the new content; renamed over `path` by `commit`. */
  temp: string;
}

/**
 * Writes `content` to a fresh temporary file next to `path` (same directory, so the rename is
 * atomic), flushed to disk, with `mode` from the first byte: a secret is never readable by others,
 * not even briefly. Nothing at `path` changes until `commitStaged`.
 */
export async function stageFile(path: string, content: string, mode = 0o644): Promise<StagedFile> {
  await mkdir(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  const handle = await open(temp, "wx", mode);
  try {
    await handle.writeFile(content, "utf8");
    await handle.chmod(mode);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { path, temp };
}

export async function commitStaged(files: readonly StagedFile[]): Promise<void> {
  for (const file of files) await rename(file.temp, file.path);
}

export async function discardStaged(files: readonly StagedFile[]): Promise<void> {
  await Promise.all(files.map((file) => rm(file.temp, { force: true })));
}

/** One file, atomically: temp file + rename. */
export async function writeFileAtomic(path: string, content: string, mode = 0o644): Promise<void> {
  const staged = await stageFile(path, content, mode);
  try {
    await commitStaged([staged]);
  } catch (error) {
    await discardStaged([staged]);
    throw error;
  }
}

/** Tightens permissions of an existing file (used for a pre-existing .env). */
export const restrictMode = (path: string, mode = 0o600): Promise<void> => chmod(path, mode);
