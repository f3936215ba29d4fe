import { randomBytes } from "node:crypto";
import {
  chmodSync,
  closeSync,
  fchmodSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { compareAscii } from "../../services/common/canonical-json.js";
import { RenderErrors } from "./errors.js";
import { GENERATED_ROOT } from "./generated.js";
import type { ComposeModel } from "./model.js";
import { isGeneratedPath, type RenderTarget, SECRET_NAME, SEEDS_DIR, trackedOutputs } from "./outputs.js";
import { SECRETS_DIR } from "./secrets.js";

/*
 * Disk I/O is synchronous on purpose (docs/decisions/render.md, "Performance"): render touches
 * ~2,500 small files at 500 agents, and each asynchronous fs call is a round trip through libuv's
 * 4-thread pool. On a busy 2-core host that queueing, not the disk, was most of the first-render
 * time (1.2 s idle in the profile); the same work done synchronously takes ~0.15 s. One file at a
 * time is also the tightest bound on concurrency there is.
 */

const errnoOf = (err: unknown): string | undefined => (err as NodeJS.ErrnoException).code;

function writeFailure(path: string, err: unknown) {
  return RenderErrors.writeFailed(`cannot write ${path}: ${errnoOf(err) ?? (err as Error).message}`, {
    cause: err,
  });
}

/**
 * Creates `path` with O_CREAT|O_EXCL (never follows or replaces anything) and writes `text`; a
 * file it created and could not finish is removed again.
 */
function createExclusive(path: string, text: string, exactMode?: number): void {
  const fd = openSync(path, "wx", exactMode === undefined ? 0o644 : 0o600);
  let done = false;
  try {
    writeFileSync(fd, text);
    // fchmod, not the open mode: the umask must not narrow an exact mode (secrets are 0444).
    if (exactMode !== undefined) fchmodSync(fd, exactMode);
    done = true;
  } finally {
    closeSync(fd);
    if (!done) rmSync(path, { force: true });
  }
}

/**
 * Writes `text` to `path` so that no reader ever sees a partial file. A file that exists is
 * replaced atomically (a temp file in the same directory, then rename). A file that does not
 * exist yet (`existed` false: the caller just looked) is created in place with O_EXCL, which
 * saves the rename (a third of the first-render I/O at 500 agents): nothing could be reading a
 * file that was not there, an interrupted write leaves a file the next render sees as stale and
 * rewrites, and if something created the path meanwhile O_EXCL fails and we fall back to the
 * temp + rename path. `exactMode` (secrets) is applied with fchmod, other files get 0644 − umask.
 */
export function atomicWrite(path: string, text: string, exactMode?: number, existed = true): void {
  if (!existed) {
    try {
      createExclusive(path, text, exactMode);
      return;
    } catch (err) {
      if (errnoOf(err) !== "EEXIST") throw writeFailure(path, err);
    }
  }
  const tmp = join(dirname(path), `.${randomBytes(6).toString("hex")}.tmp`);
  try {
    createExclusive(tmp, text, exactMode);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw writeFailure(path, err);
  }
}

/** The file's text, or undefined when it does not exist. */
export function readIfExistsSync(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    if (errnoOf(err) === "ENOENT") return undefined;
    throw err;
  }
}

/** Promise form of {@link readIfExistsSync} for callers that await (plan). */
export async function readIfExists(path: string): Promise<string | undefined> {
  return readIfExistsSync(path);
}

function listDir(path: string): string[] {
  try {
    return readdirSync(path).sort(compareAscii);
  } catch (err) {
    if (errnoOf(err) === "ENOENT" || errnoOf(err) === "ENOTDIR") return [];
    throw err;
  }
}

/** Generated files on disk under compose/ (relative paths), whether or not the model still has them. */
export function generatedOnDisk(outDir: string): string[] {
  const found: string[] = [];
  for (const service of listDir(join(outDir, GENERATED_ROOT))) {
    for (const name of listDir(join(outDir, GENERATED_ROOT, service))) {
      const rel = `${GENERATED_ROOT}/${service}/${name}`;
      if (isGeneratedPath(rel)) found.push(rel);
      else if (name === SEEDS_DIR)
        for (const seed of listDir(join(outDir, rel)))
          if (isGeneratedPath(`${rel}/${seed}`)) found.push(`${rel}/${seed}`);
    }
  }
  return found;
}

export interface WriteReport {
  written: string[];
  unchanged: string[];
  removed: string[];
  secrets: string[];
}

/** Permission bits of `path`, or undefined when nothing is there (a symlink counts as its own mode). */
function modeOf(path: string): number | undefined {
  const stat = lstatSync(path, { throwIfNoEntry: false });
  return stat === undefined ? undefined : stat.mode & 0o777;
}

function writeSecrets(outDir: string, model: ComposeModel, report: WriteReport): void {
  const secretsDir = join(outDir, SECRETS_DIR);
  mkdirSync(secretsDir, { recursive: true, mode: 0o700 });
  chmodSync(join(outDir, ".openlegion"), 0o700);
  chmodSync(secretsDir, 0o700);
  const onDisk = new Set(listDir(secretsDir));
  for (const spec of model.secrets.specs) {
    const path = join(secretsDir, spec.name);
    const value = model.secrets.values.get(spec.name)!;
    const existed = onDisk.has(spec.name);
    const current = existed ? readIfExistsSync(path) : undefined;
    if (current !== value || modeOf(path) !== 0o444) atomicWrite(path, value, 0o444, current !== undefined);
    report.secrets.push(`${SECRETS_DIR}/${spec.name}`);
  }
  const wanted = new Set(model.secrets.specs.map((s) => s.name));
  for (const name of onDisk) {
    if (SECRET_NAME.test(name) && !wanted.has(name)) {
      rmSync(join(secretsDir, name), { force: true });
      report.removed.push(`${SECRETS_DIR}/${name}`);
    }
  }
}

/**
 * Writes docker-compose.yml, compose/… and .openlegion/secrets/… under `outDir`. Tracked files are
 * rewritten only when their bytes change; stale generated files (deleted agents) are removed;
 * secrets go to a 0700 directory as 0444 files (non-root services read them through bind mounts).
 */
export async function writeRender(
  outDir: string,
  model: ComposeModel,
  target: RenderTarget = "compose",
): Promise<WriteReport> {
  const report: WriteReport = { written: [], unchanged: [], removed: [], secrets: [] };
  writeSecrets(outDir, model, report);
  const outputs = trackedOutputs(model, target);
  // A directory that had to be created holds nothing to compare with: skip the reads there.
  const fresh = new Set<string>();
  for (const dir of new Set([...outputs.keys()].map((rel) => dirname(join(outDir, rel))))) {
    if (mkdirSync(dir, { recursive: true }) !== undefined) fresh.add(dir);
  }
  for (const [rel, text] of outputs) {
    const path = join(outDir, rel);
    const current = fresh.has(dirname(path)) ? undefined : readIfExistsSync(path);
    if (current === text) {
      report.unchanged.push(rel);
      continue;
    }
    atomicWrite(path, text, undefined, current !== undefined);
    report.written.push(rel);
  }
  for (const rel of generatedOnDisk(outDir)) {
    if (outputs.has(rel)) continue;
    rmSync(join(outDir, rel), { force: true });
    report.removed.push(rel);
    // The file's directory, then (for a workspace seed) the service's: each only once empty.
    for (let dir = dirname(rel); dir.split("/").length > 1; dir = dirname(dir)) {
      try {
        rmdirSync(join(outDir, dir));
      } catch {
        break; // not empty (a user's file, or files still to remove): keep it
      }
    }
  }
  return report;
}
