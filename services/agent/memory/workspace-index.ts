import { constants } from "node:fs";
import { lstat, open, readdir } from "node:fs/promises";
import { extname, join, relative, sep } from "node:path";
import type Database from "better-sqlite3";
import { z } from "zod";
import { ftsQuery } from "./text.js";

/** Limits of the workspace index: files walked, bytes per file, depth, chunk size (~400 tokens). */
export const WS_LIMITS = { maxFiles: 2000, maxFileBytes: 1_048_576, maxDepth: 8, chunkChars: 1600 } as const;
const TEXT_EXT = new Set([
  ".md",
  ".txt",
  ".markdown",
  ".json",
  ".yaml",
  ".yml",
  ".csv",
  ".log",
  ".html",
  ".ts",
  ".js",
  ".mjs",
  ".py",
  ".sh",
  ".toml",
  ".ini",
  ".sql",
]);
const SKIP_DIRS = new Set([".git", "node_modules", "tmp", ".cache", "skills"]);
/** Walked first, so they are always inside the file cap. */
const PRIORITY = ["MEMORY.md", "USER.md", "AGENTS.md", "SOUL.md", "HEARTBEAT.md", "memory", "learnings"];

export interface WorkspaceHit {
  path: string;
  line: number;
  snippet: string;
}

const fileRow = z.object({ path: z.string(), mtime_ms: z.int(), size: z.int() });
const hitRow = z.object({ path: z.string(), start_line: z.int(), snippet: z.string() });

/** Splits text into chunks of about `size` characters on line boundaries, preferring Markdown headings. */
export function chunkText(
  text: string,
  size: number = WS_LIMITS.chunkChars,
): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let buf: string[] = [];
  let len = 0;
  let start = 1;
  const flush = () => {
    const t = buf.join("\n").trim();
    if (t) out.push({ line: start, text: t });
    buf = [];
    len = 0;
  };
  text.split("\n").forEach((raw, i) => {
    let line = raw;
    if ((len >= size || (len > size / 4 && /^#{1,3} /.test(line))) && buf.length) flush();
    if (buf.length === 0) start = i + 1;
    while (line.length > size) {
      buf.push(line.slice(0, size));
      flush();
      start = i + 1;
      line = line.slice(size);
    }
    buf.push(line);
    len += line.length + 1;
  });
  flush();
  return out;
}

/**
 * BM25 over the agent's workspace files (MEMORY.md, daily logs, learnings/, user files), chunked and
 * refreshed incrementally by mtime and size. The agent controls /data, so symlinks are never followed
 * (a link to /run/secrets must not end up in an index the model can search).
 */
export class WorkspaceIndex {
  readonly root: string;
  readonly #db: Database.Database;
  readonly #s;
  #running: Promise<{ changed: number; removed: number; files: number }> | undefined;

  constructor(db: Database.Database, root: string) {
    this.#db = db;
    this.root = root;
    this.#s = {
      files: db.prepare("SELECT path, mtime_ms, size FROM ws_files"),
      upsertFile: db.prepare(
        "INSERT INTO ws_files (path, mtime_ms, size, chunks) VALUES (?, ?, ?, ?) ON CONFLICT(path) DO UPDATE SET mtime_ms = excluded.mtime_ms, size = excluded.size, chunks = excluded.chunks",
      ),
      deleteFile: db.prepare("DELETE FROM ws_files WHERE path = ?"),
      deleteChunks: db.prepare("DELETE FROM ws_chunks WHERE path = ?"),
      insertChunk: db.prepare("INSERT INTO ws_chunks (path, start_line, text) VALUES (?, ?, ?)"),
      search: db.prepare(
        "SELECT c.path AS path, c.start_line AS start_line, snippet(ws_fts, 0, '', '', '…', 40) AS snippet FROM ws_fts JOIN ws_chunks c ON c.id = ws_fts.rowid WHERE ws_fts MATCH ? ORDER BY rank LIMIT ?",
      ),
    };
  }

  /** Brings the index up to date; concurrent callers share one walk. */
  refresh(): Promise<{ changed: number; removed: number; files: number }> {
    this.#running ??= this.#refresh().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #refresh(): Promise<{ changed: number; removed: number; files: number }> {
    const known = new Map(
      this.#s.files
        .all()
        .map((r) => fileRow.parse(r))
        .map((r) => [r.path, r]),
    );
    const seen = new Set<string>();
    let changed = 0;
    for await (const f of this.#walk()) {
      seen.add(f.rel);
      const old = known.get(f.rel);
      if (old && old.mtime_ms === f.mtimeMs && old.size === f.size) continue;
      const text = await this.#read(f.abs);
      if (text === undefined) continue;
      const chunks = chunkText(text);
      this.#db.transaction(() => {
        this.#s.deleteChunks.run(f.rel);
        for (const c of chunks) this.#s.insertChunk.run(f.rel, c.line, c.text);
        this.#s.upsertFile.run(f.rel, f.mtimeMs, f.size, chunks.length);
      })();
      changed++;
    }
    let removed = 0;
    this.#db.transaction(() => {
      for (const path of known.keys()) {
        if (seen.has(path)) continue;
        this.#s.deleteChunks.run(path);
        this.#s.deleteFile.run(path);
        removed++;
      }
    })();
    return { changed, removed, files: seen.size };
  }

  async *#walk(): AsyncGenerator<{ abs: string; rel: string; mtimeMs: number; size: number }> {
    let count = 0;
    const queue: { dir: string; depth: number }[] = [{ dir: this.root, depth: 0 }];
    while (queue.length > 0) {
      const { dir, depth } = queue.shift() as { dir: string; depth: number };
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      const rank = (n: string) =>
        depth === 0 && PRIORITY.includes(n) ? PRIORITY.indexOf(n) : PRIORITY.length;
      entries.sort((a, b) => rank(a.name) - rank(b.name) || (a.name < b.name ? -1 : 1));
      for (const e of entries) {
        const abs = join(dir, e.name);
        if (e.isSymbolicLink() || e.name.startsWith(".")) continue;
        if (e.isDirectory()) {
          if (depth + 1 < WS_LIMITS.maxDepth && !SKIP_DIRS.has(e.name))
            queue.push({ dir: abs, depth: depth + 1 });
          continue;
        }
        if (!e.isFile() || !TEXT_EXT.has(extname(e.name).toLowerCase())) continue;
        const st = await lstat(abs).catch(() => undefined);
        if (!st?.isFile() || st.size > WS_LIMITS.maxFileBytes) continue;
        if (++count > WS_LIMITS.maxFiles) return;
        yield {
          abs,
          rel: relative(this.root, abs).split(sep).join("/"),
          mtimeMs: Math.trunc(st.mtimeMs),
          size: st.size,
        };
      }
    }
  }

  /** O_NOFOLLOW: a file swapped for a symlink between the walk and the open is refused. */
  async #read(abs: string): Promise<string | undefined> {
    const handle = await open(abs, constants.O_RDONLY | constants.O_NOFOLLOW).catch(() => undefined);
    if (!handle) return undefined;
    try {
      const st = await handle.stat();
      if (!st.isFile() || st.size > WS_LIMITS.maxFileBytes) return undefined;
      const text = await handle.readFile("utf8");
      return text.includes("\u0000") ? undefined : text;
    } finally {
      await handle.close();
    }
  }

  /** BM25 top-k chunks for the query (same tokenising and quoting as fact search). */
  search(query: string, limit: number): WorkspaceHit[] {
    const match = ftsQuery(query);
    if (!match) return [];
    return this.#s.search
      .all(match, limit)
      .map((r) => hitRow.parse(r))
      .map((r) => ({ path: r.path, line: r.start_line, snippet: r.snippet.replace(/\s+/g, " ").trim() }));
  }
}
