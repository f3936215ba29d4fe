import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { z } from "zod";
import { snapshotFileSchema } from "../../services/common/backup/snapshot.js";

/**
 * The manifest of an `openlegion backup` archive (docs/operations.md "Backup and restore"). Layout:
 *   manifest.json
 *   config/…            the fleet directory (config/, .env, overrides; not the rendered secrets)
 *   volumes/<service>/  each service's data volume, databases from the online snapshot
 * `files` lists every other file with its sha256; restore refuses an archive where one differs.
 */
export const BACKUP_FORMAT = 1;
export const MANIFEST_FILE = "manifest.json";

const fileEntry = z.strictObject({
  path: z.string().min(1),
  bytes: z.int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

export const manifestSchema = z.strictObject({
  format: z.literal(BACKUP_FORMAT),
  openlegion_version: z.string(),
  created_at: z.string(),
  source_project: z.string(),
  services: z.record(
    z.string().regex(/^[a-z0-9-]+$/),
    z.strictObject({ snapshot_at: z.int(), sqlite: z.string(), databases: z.array(snapshotFileSchema) }),
  ),
  files: z.array(fileEntry),
});
export type BackupManifest = z.infer<typeof manifestSchema>;

/** Every regular file under `root`, as archive paths (forward slashes), sorted. */
export function listFiles(root: string, dir = root): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(root, path));
    else if (entry.isFile()) out.push(relative(root, path).split(sep).join("/"));
  }
  return out.sort();
}

export function fileEntries(root: string, paths: readonly string[]): z.infer<typeof fileEntry>[] {
  return paths.map((path) => {
    const full = join(root, path);
    return {
      path,
      bytes: statSync(full).size,
      sha256: createHash("sha256").update(readFileSync(full)).digest("hex"),
    };
  });
}

/** Problems of an unpacked archive against its manifest: missing, extra or changed files. */
export function verifyFiles(root: string, manifest: BackupManifest): string[] {
  const problems: string[] = [];
  const present = new Set(listFiles(root).filter((p) => p !== MANIFEST_FILE));
  for (const entry of manifest.files) {
    if (!present.delete(entry.path)) {
      problems.push(`${entry.path}: missing`);
      continue;
    }
    const [actual] = fileEntries(root, [entry.path]);
    if (actual?.sha256 !== entry.sha256) problems.push(`${entry.path}: checksum differs`);
  }
  for (const extra of present) problems.push(`${extra}: not in the manifest`);
  return problems;
}

/** A backup from a newer release may hold schema this one cannot read: same major.minor or older only. */
export function versionProblem(backup: string, ours: string): string | undefined {
  const mm = (v: string) => v.split(".").slice(0, 2).map(Number);
  const [bMaj = 0, bMin = 0] = mm(backup);
  const [oMaj = 0, oMin = 0] = mm(ours);
  if (bMaj > oMaj || (bMaj === oMaj && bMin > oMin))
    return `the backup was taken by openlegion ${backup}, newer than this ${ours}: upgrade openlegion first`;
  return undefined;
}
