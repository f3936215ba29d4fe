import { constants } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { isOlError } from "../../common/errors.js";
import { openConfined, resolveInRoot } from "../tools/fs/safe-path.js";

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

/**
 * The agent's files in the data root, read and appended through the same confinement as the file
 * tools: the agent controls /data, so SOUL.md could be a symlink to a secret; it is then skipped.
 */
export class Workspace {
  constructor(
    readonly root: string,
    readonly now: () => Date = () => new Date(),
  ) {}

  async read(rel: string): Promise<string | undefined> {
    try {
      const resolved = await resolveInRoot(this.root, rel);
      if (!resolved.exists) return undefined;
      const handle = await openConfined(this.root, resolved, constants.O_RDONLY);
      try {
        const st = await handle.stat();
        if (!st.isFile()) return undefined;
        const buf = Buffer.alloc(Math.min(st.size, READ_CAP));
        const { bytesRead } = await handle.read(buf, 0, buf.length, Math.max(0, st.size - buf.length));
        return buf.subarray(0, bytesRead).toString("utf8");
      } finally {
        await handle.close();
      }
    } catch (err) {
      if (isOlError(err)) return undefined;
      throw err;
    }
  }

  async append(rel: string, text: string): Promise<void> {
    const resolved = await resolveInRoot(this.root, rel);
    await mkdir(dirname(resolved.abs), { recursive: true });
    const handle = await openConfined(
      this.root,
      resolved,
      constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND,
    );
    try {
      await handle.writeFile(text, "utf8");
    } finally {
      await handle.close();
    }
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

  /** learnings/errors.md: one line per failed tool call, so the next prompt shows recent failures. */
  async recordToolError(tool: string, text: string): Promise<void> {
    const line = text.replace(/\s+/g, " ").slice(0, 300);
    await this.append(LEARNINGS.errors, `- ${this.now().toISOString()} ${tool}: ${line}\n`);
  }
}
