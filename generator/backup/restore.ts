import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { CliIo } from "../cli/io.js";
import { buildImages } from "../docker/build.js";
import { FleetErrors } from "../docker/errors.js";
import { DockerHost } from "../docker/host.js";
import { missingImages, renderFleet } from "../docker/lifecycle.js";
import { projectName } from "../docker/project.js";
import { readRendered } from "../docker/rendered.js";
import { packageRoot, packageVersion } from "../init/package-root.js";
import { MANIFEST_FILE, manifestSchema, verifyFiles, versionProblem } from "./manifest.js";

export interface RestoreOptions {
  file: string;
  /** Fleet directory to restore into (created when missing). */
  dir: string;
}

/** Where the compiled restore tool lives in every service image (services/common/backup/restore-tool.ts). */
const RESTORE_TOOL = "/app/dist/services/common/backup/restore-tool.js";

/**
 * `openlegion restore FILE [--dir D]`: checks the archive against its manifest (every checksum, the
 * format and the release), refuses a fleet that is running, writes the backed-up config into the
 * fleet directory, renders it, and fills each service's data volume from the archive with a one-off
 * container of that service's image (which checks every database again before it writes). Start the
 * fleet afterwards with `openlegion up`.
 */
export async function runRestore(opts: RestoreOptions, io: CliIo, host?: DockerHost): Promise<void> {
  const file = resolve(io.cwd, opts.file);
  if (!existsSync(file)) throw FleetErrors.backupInvalid(`${file}: no such backup file`);
  const docker = host ?? (await DockerHost.open(io.env));
  const staging = mkdtempSync(join(tmpdir(), "ol-restore-"));
  try {
    const untar = await docker.exec("tar", ["-xzf", file, "-C", staging], { timeoutMs: 600_000 });
    if (untar.exitCode !== 0) throw invalid(file, `not a backup archive (tar: ${untar.stderr.trim()})`);
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(join(staging, MANIFEST_FILE), "utf8"));
    } catch {
      throw invalid(file, `${MANIFEST_FILE} is missing or not JSON`);
    }
    const parsed = manifestSchema.safeParse(raw);
    if (!parsed.success)
      throw invalid(
        file,
        `${MANIFEST_FILE}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
      );
    const manifest = parsed.data;
    const problems = verifyFiles(staging, manifest);
    if (problems.length > 0)
      throw invalid(file, `does not match its manifest: ${problems.slice(0, 5).join("; ")}`);
    const tooNew = versionProblem(manifest.openlegion_version, packageVersion());
    if (tooNew) throw invalid(file, tooNew);

    const project = projectName(opts.dir, io.env);
    const live = (await docker.containers(project)).filter(
      (c) => c.state === "running" || c.state === "restarting",
    );
    if (live.length > 0)
      throw FleetErrors.restoreFleetRunning(
        `fleet ${project} is running (${live.map((c) => c.service).join(", ")}): stop it with openlegion down first (restore replaces its data)`,
      );
    mkdirSync(opts.dir, { recursive: true });
    cpSync(join(staging, "config"), opts.dir, { recursive: true });
    await renderFleet(opts.dir, io);
    const fleet = await readRendered(opts.dir);
    const toBuild = await missingImages(docker, fleet.images);
    if (toBuild.length > 0)
      await buildImages(docker, {
        root: packageRoot(),
        version: packageVersion(),
        noCache: false,
        only: toBuild,
        write: (t) => io.stdout(t),
      });
    const volumes = join(staging, "volumes");
    // Traverse-only for others: the one-off containers run as the service's user, not ours.
    chmodSync(staging, 0o711);
    chmodSync(volumes, 0o711);
    for (const svc of readdirSync(volumes)) {
      if (!fleet.services.includes(svc)) {
        io.stdout(`  skipped ${svc}: not a service of this fleet\n`);
        continue;
      }
      // The one-off container runs as the service's user (1000): it must be able to read the copy.
      openUp(join(volumes, svc));
      const r = await docker.compose(
        [
          "run",
          "--rm",
          "--no-deps",
          "-T",
          "-v",
          `${join(volumes, svc)}:/restore:ro`,
          "--entrypoint",
          "node",
          svc,
          RESTORE_TOOL,
          "/restore",
          "/data",
        ],
        { cwd: opts.dir, projectName: project, allowFailure: true, timeoutMs: 600_000 },
      );
      if (r.exitCode !== 0)
        throw FleetErrors.backupFailed(
          `restoring ${svc} failed: ${(r.stdout || r.stderr).trim().slice(-500)}`,
        );
      io.stdout(`  ✓ ${svc}\n`);
    }
    io.stdout(`✓ restored ${file} into ${opts.dir} (taken ${manifest.created_at}): run openlegion up\n`);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

const invalid = (file: string, why: string) => FleetErrors.backupInvalid(`${file}: ${why}`);

function openUp(dir: string): void {
  chmodSync(dir, 0o755);
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) openUp(p);
    else chmodSync(p, 0o644);
  }
}
