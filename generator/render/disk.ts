import { randomBytes } from "node:crypto";
import { chmod, lstat, mkdir, readdir, readFile, rename, rm, rmdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { compareAscii } from "./canonical.js";
import { RenderCodes, renderFailure } from "./errors.js";
import { GENERATED_ROOT } from "./generated.js";
import type { ComposeModel } from "./model.js";
import { isGeneratedPath, SECRET_NAME, trackedOutputs } from "./outputs.js";
import { SECRETS_DIR } from "./secrets.js";

/** How many files render reads or writes at once (bounded: 500-agent fleets have ~2,000 files). */
export const IO_CONCURRENCY = 32;

/** Runs `fn` over `items` with at most `limit` in flight; results in input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * Writes `text` to `path` atomically: a temp file in the same directory, then rename. `exactMode`
 * (secrets) is applied with chmod so the umask cannot narrow it; other files get 0644 minus umask.
 */
export async function atomicWrite(path: string, text: string, exactMode?: number): Promise<void> {
  const tmp = join(dirname(path), `.${randomBytes(6).toString("hex")}.tmp`);
  try {
    await writeFile(tmp, text, { mode: exactMode === undefined ? 0o644 : 0o600, flag: "wx" });
    if (exactMode !== undefined) await chmod(tmp, exactMode);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw renderFailure(
      RenderCodes.WRITE_FAILED,
      `cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      err,
    );
  }
}

export async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

async function listDir(path: string): Promise<string[]> {
  try {
    return (await readdir(path)).sort(compareAscii);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT" || (err as NodeJS.ErrnoException).code === "ENOTDIR")
      return [];
    throw err;
  }
}

/** Generated files on disk under compose/ (relative paths), whether or not the model still has them. */
export async function generatedOnDisk(outDir: string): Promise<string[]> {
  const found: string[] = [];
  for (const service of await listDir(join(outDir, GENERATED_ROOT))) {
    for (const name of await listDir(join(outDir, GENERATED_ROOT, service))) {
      const rel = `${GENERATED_ROOT}/${service}/${name}`;
      if (isGeneratedPath(rel)) found.push(rel);
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

/**
 * Writes docker-compose.yml, compose/… and .openlegion/secrets/… under `outDir`. Tracked files are
 * rewritten only when their bytes change; stale generated files (deleted agents) are removed;
 * secrets go to a 0700 directory as 0444 files (non-root services read them through bind mounts).
 */
export async function writeRender(outDir: string, model: ComposeModel): Promise<WriteReport> {
  const report: WriteReport = { written: [], unchanged: [], removed: [], secrets: [] };
  const secretsDir = join(outDir, SECRETS_DIR);
  await mkdir(secretsDir, { recursive: true, mode: 0o700 });
  await chmod(join(outDir, ".openlegion"), 0o700);
  await chmod(secretsDir, 0o700);
  await mapLimit(model.secrets.specs, IO_CONCURRENCY, async (spec) => {
    const path = join(secretsDir, spec.name);
    const value = model.secrets.values.get(spec.name)!;
    const current = await readIfExists(path);
    const mode = current === undefined ? undefined : (await lstat(path)).mode & 0o777;
    if (current !== value || mode !== 0o444) await atomicWrite(path, value, 0o444);
  });
  report.secrets.push(...model.secrets.specs.map((s) => `${SECRETS_DIR}/${s.name}`));
  const wanted = new Set(model.secrets.specs.map((s) => s.name));
  for (const name of await listDir(secretsDir)) {
    if (SECRET_NAME.test(name) && !wanted.has(name)) {
      await rm(join(secretsDir, name), { force: true });
      report.removed.push(`${SECRETS_DIR}/${name}`);
    }
  }
  const outputs = trackedOutputs(model);
  const dirs = new Set([...outputs.keys()].map((rel) => dirname(join(outDir, rel))));
  await mapLimit([...dirs], IO_CONCURRENCY, (d) => mkdir(d, { recursive: true }));
  const changed = await mapLimit([...outputs], IO_CONCURRENCY, async ([rel, text]) => {
    const path = join(outDir, rel);
    if ((await readIfExists(path)) === text) return false;
    await atomicWrite(path, text);
    return true;
  });
  for (const [i, rel] of [...outputs.keys()].entries()) {
    if (changed[i]) report.written.push(rel);
    else report.unchanged.push(rel);
  }
  for (const rel of await generatedOnDisk(outDir)) {
    if (outputs.has(rel)) continue;
    await rm(join(outDir, rel), { force: true });
    report.removed.push(rel);
    await rmdir(dirname(join(outDir, rel))).catch(() => undefined);
  }
  return report;
}
