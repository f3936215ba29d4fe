import { type BigIntStats, constants, statSync } from "node:fs";
import { join } from "node:path";
import { isOlError } from "../../common/errors.js";
import { correctionLine } from "../core/corrections.js";
import { appendConfined, openConfined, resolveInRoot } from "../tools/fs/safe-path.js";

export const WORKSPACE_FILES = {
  agents: "AGENTS.md",
  soul: "SOUL.md",
  user: "USER.md",
  memory: "MEMORY.md",
} as const;
export const LEARNINGS = { errors: "learnings/errors.md", corrections: "learnings/corrections.md" } as const;
/** Bytes read from any one workspace file (the prompt caps it further). */
const READ_CAP = 256_000;
const LOG_ENTRY_MAX = 4_000;
/** Files whose last read is remembered (the six prompt files; any other `read` is rare). */
const CACHE_MAX = 32;

/**
 * File times tick with the kernel's coarse clock (a few ms), so a same-size rewrite right after a read
 * can keep every stat field: like git's "racy clean" rule, a file changed this recently is not cached.
 */
const RACY_MS = 2_000;

/** Identity of a file's content: the same inode, size, mtime and ctime (ns) mean the same bytes. */
const identity = (st: BigIntStats): string => `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;

/**
 * The agent's files in the data root, read and appended through the same confinement as the file
 * tools: the agent controls /data, so SOUL.md could be a symlink to a secret; it is then skipped.
 */
export class Workspace {
  constructor(
    readonly root: string,
    readonly now: () => Date = () => new Date(),
  ) {}

  readonly #cache = new Map<string, { id: string; text: string }>();

  /**
   * A workspace file's text (its last READ_CAP bytes), or undefined when it is missing or not
   * reachable. Every call stats the path: when the inode, size, mtime and ctime are those of the last
   * confined read, that read's text is returned; any edit (a tool, exec, another process) changes the
   * stat and the file is read again through the confinement.
   */
  async read(rel: string): Promise<string | undefined> {
    let id: string | undefined;
    try {
      const st = statSync(join(this.root, rel), { bigint: true, throwIfNoEntry: false });
      if (!st) {
        this.#cache.delete(rel);
        return undefined;
      }
      id = identity(st);
    } catch {
      // ENOTDIR, EACCES, ELOOP…: the confined read decides.
    }
    const hit = this.#cache.get(rel);
    if (hit && id !== undefined && hit.id === id) return hit.text;
    const read = await this.#readConfined(rel);
    this.#cache.delete(rel);
    if (this.#cache.size >= CACHE_MAX) this.#cache.delete(this.#cache.keys().next().value ?? "");
    // Content is remembered under the identity of the inode actually read; refusals are not remembered.
    if (read.id !== undefined && !read.racy) this.#cache.set(rel, { id: read.id, text: read.text });
    return read.text;
  }

  async #readConfined(
    rel: string,
  ): Promise<
    { text: string; id: string; racy: boolean } | { text: undefined; id?: undefined; racy?: undefined }
  > {
    try {
      const resolved = await resolveInRoot(this.root, rel);
      if (!resolved.exists) return { text: undefined };
      const handle = await openConfined(this.root, resolved, constants.O_RDONLY);
      try {
        const st = await handle.stat({ bigint: true });
        if (!st.isFile()) return { text: undefined };
        const size = Number(st.size);
        const buf = Buffer.alloc(Math.min(size, READ_CAP));
        const { bytesRead } = await handle.read(buf, 0, buf.length, Math.max(0, size - buf.length));
        const changed = Math.max(Number(st.mtimeMs), Number(st.ctimeMs));
        const racy = Math.abs(Date.now() - changed) < RACY_MS;
        return { text: buf.subarray(0, bytesRead).toString("utf8"), id: identity(st), racy };
      } finally {
        await handle.close();
      }
    } catch (err) {
      if (isOlError(err)) return { text: undefined };
      throw err;
    }
  }

  async append(rel: string, text: string): Promise<void> {
    this.#cache.delete(rel);
    await appendConfined(this.root, rel, text);
  }

  async readAll(): Promise<{
    workspace: { agents?: string; soul?: string; user?: string; memory?: string };
    learnings: { errors?: string; corrections?: string };
  }> {
    const [agents, soul, user, memory, errors, corrections] = await Promise.all([
      this.read(WORKSPACE_FILES.agents),
      this.read(WORKSPACE_FILES.soul),
      this.read(WORKSPACE_FILES.user),
      this.read(WORKSPACE_FILES.memory),
      this.read(LEARNINGS.errors),
      this.read(LEARNINGS.corrections),
    ]);
    return { workspace: { agents, soul, user, memory }, learnings: { errors, corrections } };
  }

  /** memory/YYYY-MM-DD.md gets one entry per turn or task (UTC date). */
  async logTurn(entry: {
    kind: "chat" | "task";
    from: string;
    input: string;
    reply: string;
    status: string;
  }): Promise<void> {
    const now = this.now();
    const day = now.toISOString().slice(0, 10);
    const time = now.toISOString().slice(11, 19);
    const clip = (s: string) => (s.length > LOG_ENTRY_MAX ? `${s.slice(0, LOG_ENTRY_MAX)} […]` : s);
    const text = `\n## ${time} ${entry.kind} from ${entry.from} (${entry.status})\n\n**in:** ${clip(entry.input)}\n\n**out:** ${clip(entry.reply) || "(no text)"}\n`;
    await this.append(`memory/${day}.md`, text);
  }

  /** learnings/corrections.md: one line per user correction, shown in every later system prompt. */
  async recordCorrection(message: string): Promise<void> {
    await this.append(LEARNINGS.corrections, correctionLine(this.now(), message));
  }

  /** learnings/errors.md: one line per failed tool call, so the next prompt shows recent failures. */
  async recordToolError(tool: string, text: string): Promise<void> {
    const line = text.replace(/\s+/g, " ").slice(0, 300);
    await this.append(LEARNINGS.errors, `- ${this.now().toISOString()} ${tool}: ${line}\n`);
  }
}
