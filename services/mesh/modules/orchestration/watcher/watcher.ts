import { readdir, stat } from "node:fs/promises";
import { basename, join, relative } from "node:path";
import type Database from "better-sqlite3";
import { compileGlob } from "../../../../common/glob.js";
import { diffScan, type FileStat, type Known, renderMessage } from "./scan.js";

export interface WatcherDef {
  id: string;
  path: string;
  pattern: string;
  agent: string;
  message: string;
  interval_ms: number;
}

export const MAX_FILES_PER_SCAN = 10_000;
const MAX_DEPTH = 8;

/** Lists matching regular files under `root` (bounded: depth and count), relative paths for the glob. */
export async function listFiles(root: string, pattern: string): Promise<FileStat[]> {
  const glob = compileGlob(pattern);
  const out: FileStat[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (depth > MAX_DEPTH || out.length >= MAX_FILES_PER_SCAN) return;
    let entries: import("node:fs").Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (out.length >= MAX_FILES_PER_SCAN) return;
      const full = join(dir, e.name);
      if (e.isDirectory()) await walk(full, depth + 1);
      else if (e.isFile() && glob.test(relative(root, full))) {
        try {
          const s = await stat(full);
          out.push({ path: full, size: s.size, mtime_ms: Math.trunc(s.mtimeMs) });
        } catch {
          // vanished between readdir and stat: seen on the next poll, if it comes back
        }
      }
    }
  };
  await walk(root, 0);
  return out;
}

/** Persisted scan state per watcher, so a restart neither re-reports nor forgets a half-written file. */
export class WatcherStore {
  readonly #s;
  readonly db: Database.Database;
  constructor(db: Database.Database) {
    this.db = db;
    const p = (sql: string) => db.prepare(sql);
    this.#s = {
      load: p("SELECT path, size, mtime_ms, reported FROM watcher_files WHERE watcher = ?"),
      clear: p("DELETE FROM watcher_files WHERE watcher = ?"),
      put: p("INSERT INTO watcher_files (watcher, path, size, mtime_ms, reported) VALUES (?, ?, ?, ?, ?)"),
    };
  }
  load(watcher: string): Map<string, Known> {
    const rows = this.#s.load.all(watcher) as {
      path: string;
      size: number;
      mtime_ms: number;
      reported: number;
    }[];
    return new Map(
      rows.map((r) => [r.path, { size: r.size, mtime_ms: r.mtime_ms, reported: r.reported === 1 }]),
    );
  }
  save(watcher: string, state: ReadonlyMap<string, Known>): void {
    this.#s.clear.run(watcher);
    for (const [path, k] of state) this.#s.put.run(watcher, path, k.size, k.mtime_ms, k.reported ? 1 : 0);
  }
}

/** One poll: scan, diff, then report and persist in one transaction (report = enqueue, same DB). */
export async function pollOnce(
  def: WatcherDef,
  store: WatcherStore,
  report: (def: WatcherDef, file: FileStat, message: string) => void,
): Promise<number> {
  const files = await listFiles(def.path, def.pattern);
  if (!store.db.open) return 0;
  return store.db
    .transaction(() => {
      const diff = diffScan(store.load(def.id), files);
      for (const f of diff.report)
        report(def, f, renderMessage(def.message, { path: f.path, filename: basename(f.path) }));
      store.save(def.id, diff.state);
      return diff.report.length;
    })
    .immediate();
}

/** Polls every watcher on its own interval; one poll per watcher at a time. */
export class WatcherLoop {
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #busy = new Set<string>();
  #running = false;

  private readonly defs: readonly WatcherDef[];
  private readonly store: WatcherStore;
  private readonly report: (def: WatcherDef, file: FileStat, message: string) => void;
  private readonly onError: ((error: unknown, watcher: string) => void) | undefined;

  constructor(
    defs: readonly WatcherDef[],
    store: WatcherStore,
    report: (def: WatcherDef, file: FileStat, message: string) => void,
    onError?: (error: unknown, watcher: string) => void,
  ) {
    this.defs = defs;
    this.store = store;
    this.report = report;
    this.onError = onError;
  }

  start(): void {
    this.#running = true;
    for (const d of this.defs) this.#arm(d, 0);
  }

  #arm(d: WatcherDef, delay: number): void {
    if (!this.#running) return;
    const t = setTimeout(() => {
      if (this.#busy.has(d.id)) return this.#arm(d, d.interval_ms);
      this.#busy.add(d.id);
      pollOnce(d, this.store, this.report)
        .catch((e) => this.onError?.(e, d.id))
        .finally(() => {
          this.#busy.delete(d.id);
          this.#arm(d, d.interval_ms);
        });
    }, delay);
    t.unref();
    this.#timers.set(d.id, t);
  }

  stop(): void {
    this.#running = false;
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
  }
}
