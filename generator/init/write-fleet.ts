import { lstat, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { OlError } from "../../services/common/errors.js";
import { CliErrors } from "../cli/errors.js";
import { commitStaged, discardStaged, type StagedFile, stageFile } from "../edit/atomic.js";
import type { RenderedFile } from "./render-templates.js";

/** Largest existing .env / .gitignore we merge into. */
const MAX_MERGE_BYTES = 1024 * 1024;

export type FileOutcome = "written" | "overwritten" | "kept" | "merged";

export interface WriteReport {
  files: { path: string; outcome: FileOutcome; note?: string }[];
}

async function kind(path: string): Promise<"missing" | "file" | "dir" | "other"> {
  try {
    const stats = await lstat(path);
    return stats.isDirectory() ? "dir" : stats.isFile() ? "file" : "other";
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "missing";
    throw error;
  }
}

/** The template files under config/ that already exist: the fleet `--force` would overwrite. */
export async function existingFleetFiles(dir: string, files: readonly RenderedFile[]): Promise<string[]> {
  const found: string[] = [];
  for (const file of files) {
    if (file.path.startsWith("config/") && (await kind(join(dir, file.path))) !== "missing")
      found.push(file.path);
  }
  return found;
}

export async function assertFleetDir(dir: string): Promise<void> {
  const k = await kind(dir);
  if (k !== "missing" && k !== "dir") {
    throw CliErrors.initNotADirectory(`${dir} exists and is not a directory`);
  }
}

export function fleetExistsError(dir: string, existing: readonly string[]): OlError {
  const shown = existing.slice(0, 5).join(", ") + (existing.length > 5 ? ", …" : "");
  return CliErrors.initFleetExists(
    `${dir} already holds a fleet (${shown}); pass --force to overwrite these files (.env, PROJECT.md and your other files are kept)`,
  );
}

const hasKey = (text: string, key: string): boolean =>
  new RegExp(`^\\s*(export\\s+)?${key}\\s*=`, "m").test(text);

/** Adds to an existing .env only what it lacks; the user's keys and comments stay as they are. */
export function mergeEnv(existing: string, fresh: string): { text: string; added: string[] } {
  const added: string[] = [];
  let text = existing;
  for (const line of fresh.split("\n")) {
    const match = /^([A-Z][A-Z0-9_]*)=/.exec(line);
    if (!match?.[1] || hasKey(existing, match[1])) continue;
    if (added.length === 0)
      text += `${text === "" || text.endsWith("\n") ? "" : "\n"}\n# Added by openlegion init\n`;
    text += `${line}\n`;
    added.push(match[1]);
  }
  return { text, added };
}

/** Adds missing ignore lines to an existing .gitignore. */
export function mergeGitignore(existing: string, fresh: string): { text: string; added: string[] } {
  const present = new Set(existing.split(/\r?\n/).map((line) => line.trim()));
  const wanted = fresh.split("\n").filter((line) => line.trim() !== "" && !line.startsWith("#"));
  const added = wanted.filter((line) => !present.has(line) && !present.has(line.replace(/\/$/, "")));
  if (added.length === 0) return { text: existing, added };
  const sep = existing === "" || existing.endsWith("\n") ? "" : "\n";
  return { text: `${existing}${sep}${added.join("\n")}\n`, added };
}

async function readBounded(path: string): Promise<string> {
  const stats = await lstat(path);
  if (stats.size > MAX_MERGE_BYTES)
    throw CliErrors.initFileTooLarge(`${path} is larger than 1 MiB; not merging into it`);
  return readFile(path, "utf8");
}

/**
 * Writes the rendered fleet. config/ files are replaced (the caller checked --force); an existing
 * PROJECT.md is kept, an existing .env or .gitignore only gains the lines it lacks. All new contents
 * are staged as temp files first and then renamed into place, so a failure leaves no half-written file.
 */
export async function writeFleet(dir: string, files: readonly RenderedFile[]): Promise<WriteReport> {
  const report: WriteReport = { files: [] };
  const staged: StagedFile[] = [];
  try {
    for (const file of files) {
      const path = join(dir, file.path);
      const existing = await kind(path);
      if (existing === "dir" || existing === "other") {
        throw CliErrors.initNotADirectory(`${path} exists and is not a regular file; move it away first`);
      }
      if (existing === "missing") {
        staged.push(await stageFile(path, file.content, file.mode));
        report.files.push({ path: file.path, outcome: "written" });
      } else if (file.path === ".env" || file.path === ".gitignore") {
        const merge = file.path === ".env" ? mergeEnv : mergeGitignore;
        const { text, added } = merge(await readBounded(path), file.content);
        // Rewriting also tightens a pre-existing .env to 0600.
        if (added.length > 0 || file.path === ".env") staged.push(await stageFile(path, text, file.mode));
        report.files.push(
          added.length > 0
            ? { path: file.path, outcome: "merged", note: `added ${added.join(", ")}` }
            : { path: file.path, outcome: "kept" },
        );
      } else if (file.path.startsWith("config/")) {
        staged.push(await stageFile(path, file.content, file.mode));
        report.files.push({ path: file.path, outcome: "overwritten" });
      } else {
        report.files.push({ path: file.path, outcome: "kept", note: "already exists" });
      }
    }
    await commitStaged(staged);
  } catch (error) {
    await discardStaged(staged);
    throw error;
  }
  return report;
}
