import { cpSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import Database from "better-sqlite3";
import { z } from "zod";
import { sha256File, snapshotFileSchema } from "./snapshot.js";

/**
 * Runs inside a one-off container of the service's own image, as the service's user, with the
 * volume at `dataDir` and the backup's copy of it read-only at `from` (`openlegion restore`):
 *   node dist/services/common/backup/restore-tool.js /restore /data
 * Checks every database against DATABASES_FILE (sha256, `PRAGMA integrity_check`) before it touches
 * the volume, then replaces the volume's contents with the backup's. Prints one JSON line.
 */
export const DATABASES_FILE = "databases.json";

export function restoreVolume(from: string, dataDir: string): { databases: string[]; entries: number } {
  const listed = z
    .array(snapshotFileSchema)
    .parse(JSON.parse(readFileSync(join(from, DATABASES_FILE), "utf8")));
  for (const f of listed) {
    const path = join(from, f.file);
    if (sha256File(path) !== f.sha256) throw new Error(`${f.file}: checksum does not match the manifest`);
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      const check = db.prepare("PRAGMA integrity_check").pluck().get();
      if (check !== "ok") throw new Error(`${f.file}: integrity_check says ${String(check)}`);
    } finally {
      db.close();
    }
  }
  for (const entry of readdirSync(dataDir)) rmSync(join(dataDir, entry), { recursive: true, force: true });
  const entries = readdirSync(from).filter((e) => e !== DATABASES_FILE);
  for (const entry of entries) cpSync(join(from, entry), join(dataDir, entry), { recursive: true });
  return { databases: listed.map((f) => f.file), entries: entries.length };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [from, to] = process.argv.slice(2);
  try {
    if (!from || !to) throw new Error("usage: restore-tool <from> <data dir>");
    process.stdout.write(`${JSON.stringify({ ok: true, ...restoreVolume(from, to) })}\n`);
  } catch (error) {
    process.stdout.write(
      `${JSON.stringify({ ok: false, error: error instanceof Error ? error.message : String(error) })}\n`,
    );
    process.exitCode = 1;
  }
}
