import { lstat, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** The workspace files render seeds (generator/render/workspace-seed.ts), in the agent's data root. */
export const WORKSPACE_SEED_FILES = ["AGENTS.md", "SOUL.md", "USER.md", "MEMORY.md", "HEARTBEAT.md"] as const;

/**
 * First boot: each seeded file that does not exist yet in the data root is created with its seed.
 * An existing file (or a link, or anything else under that name) is never touched, so the agent's
 * edits and the operator's hand edits survive restarts and re-renders. Returns the files created.
 */
export async function seedWorkspace(root: string, seeds: Record<string, string>): Promise<string[]> {
  const created: string[] = [];
  for (const file of WORKSPACE_SEED_FILES) {
    const text = seeds[file];
    if (text === undefined) continue;
    const exists = await lstat(join(root, file)).then(
      () => true,
      () => false,
    );
    if (exists) continue;
    // wx: never follows or replaces something created meanwhile.
    await writeFile(join(root, file), text, { flag: "wx", mode: 0o644 }).then(
      () => created.push(file),
      (err: NodeJS.ErrnoException) => {
        if (err.code !== "EEXIST") throw err;
      },
    );
  }
  return created;
}
