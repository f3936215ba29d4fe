import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DATABASES_FILE } from "../../services/common/backup/restore-tool.js";
import {
  DONE_FILE,
  SNAPSHOT_DIR,
  type SnapshotDone,
  snapshotDoneSchema,
} from "../../services/common/backup/snapshot.js";
import type { CliIo } from "../cli/io.js";
import { FleetErrors } from "../docker/errors.js";
import { DockerHost } from "../docker/host.js";
import { projectName } from "../docker/project.js";
import { readRendered } from "../docker/rendered.js";
import { packageVersion } from "../init/package-root.js";
import { BACKUP_FORMAT, type BackupManifest, fileEntries, listFiles, MANIFEST_FILE } from "./manifest.js";

export interface BackupOptions {
  dir: string;
  /** Archive path (default ./openlegion-backup-<project>-<UTC timestamp>.tar.gz). */
  out?: string;
  timeoutS?: number;
}

/** Fleet-directory entries that `render` regenerates, or that are not config, stay out of the archive. */
const NOT_CONFIG = new Set([".openlegion", "compose", "docker-compose.yml", ".git", "node_modules"]);
const isBackupFile = (name: string) => name.startsWith("openlegion-backup-") || name.endsWith(".tar.gz");

const DATA = "/data";

/**
 * `openlegion backup`: an online, consistent snapshot of a running fleet. Each service gets SIGUSR2
 * and writes its databases with SQLite's backup API into its volume (services/common/backup/
 * snapshot.ts); once every service reports done, each volume is copied out with `docker cp`, its live
 * database files replaced by the snapshot's, and the lot is packed with the fleet's config and a
 * manifest of versions and checksums. The fleet keeps serving throughout.
 */
export async function runBackup(opts: BackupOptions, io: CliIo, host?: DockerHost): Promise<string> {
  const docker = host ?? (await DockerHost.open(io.env));
  const fleet = await readRendered(opts.dir);
  const project = projectName(opts.dir, io.env);
  const containers = new Map(
    (await docker.containers(project)).filter((c) => !c.oneOff).map((c) => [c.service, c]),
  );
  const down = fleet.services.filter((s) => containers.get(s)?.state !== "running");
  if (down.length > 0)
    throw FleetErrors.backupFailed(
      `backup needs every service running (not running: ${down.join(", ")}): run openlegion up first`,
    );
  const compose = (args: string[], allowFailure = false) =>
    docker.compose(args, { cwd: opts.dir, projectName: project, allowFailure, timeoutMs: 120_000 });
  const asked = Date.now() - 1000;
  io.stdout(`▸ snapshotting ${fleet.services.length} services online (project ${project})\n`);
  for (const svc of fleet.services) await compose(["kill", "-s", "SIGUSR2", svc]);
  const deadline = Date.now() + (opts.timeoutS ?? 120) * 1000;
  const done = new Map<string, SnapshotDone>();
  while (done.size < fleet.services.length) {
    for (const svc of fleet.services.filter((s) => !done.has(s))) {
      const r = await compose(["exec", "-T", svc, "cat", `${DATA}/${SNAPSHOT_DIR}/${DONE_FILE}`], true);
      const parsed = r.exitCode === 0 ? snapshotDoneSchema.safeParse(safeJson(r.stdout)) : undefined;
      if (parsed?.success && parsed.data.taken_at >= asked) done.set(svc, parsed.data);
    }
    if (done.size === fleet.services.length) break;
    if (Date.now() > deadline)
      throw FleetErrors.backupFailed(
        `no snapshot from ${fleet.services.filter((s) => !done.has(s)).join(", ")} within ${opts.timeoutS ?? 120} s: see openlegion logs`,
      );
    await new Promise((r) => setTimeout(r, 500));
  }
  const staging = mkdtempSync(join(tmpdir(), "ol-backup-"));
  try {
    for (const svc of fleet.services) {
      const target = join(staging, "volumes", svc);
      mkdirSync(join(staging, "volumes"), { recursive: true });
      await docker.docker(["cp", `${containers.get(svc)?.id}:${DATA}/.`, target], false, 600_000);
      useSnapshot(target, done.get(svc) as SnapshotDone);
    }
    copyConfig(opts.dir, join(staging, "config"));
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      openlegion_version: packageVersion(),
      created_at: new Date().toISOString(),
      source_project: project,
      services: Object.fromEntries(
        [...done].map(([svc, d]) => [svc, { snapshot_at: d.taken_at, sqlite: d.sqlite, databases: d.files }]),
      ),
      files: fileEntries(staging, listFiles(staging)),
    };
    writeFileSync(join(staging, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\..*/, "Z");
    const out = resolve(io.cwd, opts.out ?? `openlegion-backup-${project}-${stamp}.tar.gz`);
    const tar = await docker.exec("tar", ["-czf", out, "-C", staging, "."], { timeoutMs: 600_000 });
    if (tar.exitCode !== 0) throw FleetErrors.backupFailed(`tar failed: ${tar.stderr.trim()}`);
    // It holds .env (the master key, provider keys): as secret as .env itself.
    chmodSync(out, 0o600);
    const dbs = Object.values(manifest.services).reduce((n, s) => n + s.databases.length, 0);
    io.stdout(
      `✓ backup written to ${out} (${dbs} databases, ${manifest.files.length} files; it holds .env: keep it secret)\n`,
    );
    return out;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** In a copied volume: drop the live database files, put the snapshot's in their place. */
function useSnapshot(volume: string, done: SnapshotDone): void {
  for (const name of readdirSync(volume))
    if (/\.db(-wal|-shm|-journal)?$/.test(name)) rmSync(join(volume, name), { force: true });
  const snap = join(volume, SNAPSHOT_DIR);
  for (const f of done.files) renameSync(join(snap, f.file), join(volume, f.file));
  rmSync(snap, { recursive: true, force: true });
  writeFileSync(join(volume, DATABASES_FILE), JSON.stringify(done.files));
}

function copyConfig(dir: string, target: string): void {
  mkdirSync(target, { recursive: true });
  for (const entry of readdirSync(dir)) {
    if (NOT_CONFIG.has(entry) || isBackupFile(entry)) continue;
    cpSync(join(dir, entry), join(target, entry), { recursive: true });
  }
}
