import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

export const REPO_ROOT = join(import.meta.dirname, "../../..");
const SKIP = new Set(["node_modules", "dist", ".tools", ".git", "compose", "bench"]);

/** Every file under `dir` (relative to the repo) whose name passes `keep`, skipping build output. */
export function listFiles(dir: string, keep: (name: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (abs: string) => {
    for (const entry of readdirSync(abs)) {
      if (SKIP.has(entry)) continue;
      const path = join(abs, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (keep(entry)) out.push(relative(REPO_ROOT, path));
    }
  };
  walk(join(REPO_ROOT, dir));
  return out.sort();
}

export const readRepoFile = (path: string): string => readFileSync(join(REPO_ROOT, path), "utf8");
