import { constants } from "node:fs";
import { type FileHandle, lstat, mkdir, open, readlink, realpath } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, sep } from "node:path";
import { ToolErrors } from "../errors.js";

/** The path the model sees as its root; `/data/x` and `x` name the same file. */
export const CONTAINER_ROOT = "/data";

export interface ResolvedPath {
  /** Absolute real path on disk (ancestors resolved; the final component may not exist yet). */
  abs: string;
  /** Root-relative path for messages ("." for the root). */
  rel: string;
  exists: boolean;
}

const within = (root: string, p: string): boolean => p === root || p.startsWith(root + sep);

/**
 * Confines a model-supplied path to the data root (research/agent.md §5.2): NUL bytes, absolute paths
 * other than under /data, and any `..` segment are refused outright; then the real path of the target
 * (or of its nearest existing ancestor) must lie inside the root's real path, which refuses symlinks to
 * the outside, relative symlink chains and dangling symlinks alike. `root` must already be a real path.
 */
export async function resolveInRoot(root: string, input: string): Promise<ResolvedPath> {
  if (input.includes("\u0000")) throw ToolErrors.pathRefused(input, "contains a NUL byte");
  if (input.length > 4096) throw ToolErrors.pathRefused(input, "longer than 4096 characters");
  let rel = input.trim() === "" ? "." : input;
  if (rel === CONTAINER_ROOT || rel.startsWith(`${CONTAINER_ROOT}/`))
    rel = rel.slice(CONTAINER_ROOT.length + 1) || ".";
  else if (rel === root || rel.startsWith(`${root}/`)) rel = rel.slice(root.length + 1) || ".";
  if (isAbsolute(rel)) throw ToolErrors.pathRefused(input, `absolute paths must be under ${CONTAINER_ROOT}`);
  const segments = rel.split(/[\\/]+/).filter((s) => s !== "" && s !== ".");
  if (segments.includes("..")) throw ToolErrors.pathRefused(input, '".." segments are not allowed');
  const lexical = join(root, ...segments);

  // Walk down to the deepest existing component and resolve it for real.
  let existing = lexical;
  const missing: string[] = [];
  for (;;) {
    try {
      await lstat(existing);
      break;
    } catch (err) {
      if (!isNotFound(err)) throw err;
      if (existing === root) throw ToolErrors.pathRefused(input, "the data root does not exist");
      missing.unshift(existing.slice(existing.lastIndexOf(sep) + 1));
      existing = existing.slice(0, existing.lastIndexOf(sep)) || sep;
    }
  }
  let real: string;
  try {
    real = await realpath(existing);
  } catch (err) {
    if (isNotFound(err)) throw ToolErrors.pathRefused(input, "it is a symlink whose target does not exist");
    throw err;
  }
  if (!within(root, real)) throw ToolErrors.pathRefused(input, `it resolves outside ${CONTAINER_ROOT}`);
  const abs = missing.length ? join(real, ...missing) : real;
  const relOut = relative(root, abs) || ".";
  return { abs, rel: relOut, exists: missing.length === 0 };
}

function isNotFound(err: unknown): boolean {
  return (
    typeof err === "object" &&
    err !== null &&
    "code" in err &&
    (err.code === "ENOENT" || err.code === "ENOTDIR")
  );
}

/**
 * Opens a resolved path without following a symlink in the final component (O_NOFOLLOW), then checks
 * through /proc/self/fd that the opened file is still inside the root (closes the check-then-open race
 * where a component is swapped for a symlink in between).
 */
export async function openConfined(
  root: string,
  resolved: ResolvedPath,
  flags: number,
  mode = 0o644,
): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(resolved.abs, flags | constants.O_NOFOLLOW, mode);
  } catch (err) {
    if (typeof err === "object" && err !== null && "code" in err && err.code === "ELOOP") {
      throw ToolErrors.pathRefused(resolved.rel, "it is a symlink");
    }
    if (isNotFound(err)) throw ToolErrors.notFound(resolved.rel);
    throw err;
  }
  try {
    const actual = await readlink(`/proc/self/fd/${handle.fd}`).catch(() => undefined);
    if (actual !== undefined && !within(root, actual)) {
      throw ToolErrors.pathRefused(resolved.rel, `it resolves outside ${CONTAINER_ROOT}`);
    }
    const st = await handle.stat();
    if (st.isFile() && st.nlink > 1 && (flags & (constants.O_WRONLY | constants.O_RDWR)) !== 0) {
      throw ToolErrors.pathRefused(resolved.rel, "it has several hard links; write to a fresh file instead");
    }
    return handle;
  } catch (err) {
    await handle.close();
    throw err;
  }
}

/** Appends UTF-8 text to a root-relative file, creating it and its directories, with every check above. */
export async function appendConfined(root: string, rel: string, text: string): Promise<void> {
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
}
