import type { ModelMessage } from "ai";
import Database from "better-sqlite3";
import { z } from "zod";
import { type TaskStatus, taskStatusSchema } from "../../common/contracts/agent-routes.js";
import { applySync, type SyncMode } from "../../common/sqlite/sync.js";
import { AgentErrors } from "../errors.js";
import { migrate } from "./migrations/index.js";

export const CHAT_CONVERSATION = "chat";
/** Messages loaded into a chat request; older ones stay on disk (compaction is the memory issue's job). */
export const HISTORY_WINDOW = 200;
export const INBOX_SEEN_KEEP = 10_000;
/**
 * Messages of a conversation kept parsed in memory (the newest ones): every turn reads its tail twice
 * (context before, flush/compaction check after), which without the cache re-reads and re-parses up to
 * 400 rows from SQLite per read. Larger reads go to SQLite.
 */
export const TAIL_CACHE = 400;
const CACHED_CONVERSATIONS = 8;
export const TASKS_KEEP = 1_000;

export interface TaskRow {
  id: string;
  idempotency_key: string | null;
  request_hash: string;
  prompt: string;
  sender: string;
  status: TaskStatus;
  reply: string;
  error_code: string | null;
  error_message: string | null;
  calls: number;
  tool_calls: number;
  input_tokens: number;
  output_tokens: number;
  models: string[];
  created_at: number;
  updated_at: number;
}

const taskRowSchema = z.object({
  id: z.string(),
  idempotency_key: z.string().nullable(),
  request_hash: z.string(),
  prompt: z.string(),
  sender: z.string(),
  status: taskStatusSchema,
  reply: z.string(),
  error_code: z.string().nullable(),
  error_message: z.string().nullable(),
  calls: z.int(),
  tool_calls: z.int(),
  input_tokens: z.int(),
  output_tokens: z.int(),
  models: z.string().transform((s) => z.array(z.string()).parse(JSON.parse(s))),
  created_at: z.int(),
  updated_at: z.int(),
});

/** ModelMessage rows are our own JSON; parse the envelope, trust the AI SDK shape inside. */
const messageRowSchema = z.object({ body: z.string() });

/**
 * The agent's SQLite database in the data root (WAL): the chat conversation, tasks with their
 * idempotency keys, and mesh message ids already handled. One store class, statements prepared once.
 */
export class AgentStore {
  readonly db: Database.Database;
  readonly #now: () => number;
  readonly #s;
  /** Per conversation: its message count and its newest ≤ TAIL_CACHE messages, as parsed from the rows. */
  readonly #tails = new Map<string, { count: number; messages: ModelMessage[] }>();

  constructor(path: string, now: () => number = Date.now, sync: SyncMode = "full") {
    this.db = new Database(path);
    this.#now = now;
    this.db.pragma("journal_mode = WAL");
    applySync(this.db, sync);
    this.db.pragma("busy_timeout = 5000");
    this.db.pragma("foreign_keys = ON");
    migrate(this.db);
    const d = this.db;
    this.#s = {
      appendMessage: d.prepare(
        "INSERT INTO messages (conversation, role, body, created_at) VALUES (?, ?, ?, ?)",
      ),
      recentMessages: d.prepare(
        "SELECT body FROM (SELECT id, body FROM messages WHERE conversation = ? ORDER BY id DESC LIMIT ?) ORDER BY id ASC",
      ),
      countMessages: d.prepare("SELECT COUNT(*) AS n FROM messages WHERE conversation = ?"),
      clearConversation: d.prepare("DELETE FROM messages WHERE conversation = ?"),
      insertTask: d.prepare(
        "INSERT INTO tasks (id, idempotency_key, request_hash, prompt, sender, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'queued', ?, ?)",
      ),
      taskById: d.prepare("SELECT * FROM tasks WHERE id = ?"),
      taskByKey: d.prepare("SELECT * FROM tasks WHERE idempotency_key = ?"),
      setTaskStatus: d.prepare("UPDATE tasks SET status = ?, updated_at = ? WHERE id = ?"),
      finishTask: d.prepare(
        "UPDATE tasks SET status = ?, reply = ?, error_code = ?, error_message = ?, calls = ?, tool_calls = ?, input_tokens = ?, output_tokens = ?, models = ?, updated_at = ? WHERE id = ?",
      ),
      interruptTasks: d.prepare(
        "UPDATE tasks SET status = 'cancelled', error_code = ?, error_message = ?, updated_at = ? WHERE status IN ('queued', 'running')",
      ),
      pruneTasks: d.prepare(
        "DELETE FROM tasks WHERE id IN (SELECT id FROM tasks WHERE status NOT IN ('queued','running') ORDER BY created_at DESC LIMIT -1 OFFSET ?)",
      ),
      markSeen: d.prepare("INSERT OR IGNORE INTO inbox_seen (message_id, received_at) VALUES (?, ?)"),
      pruneSeen: d.prepare(
        "DELETE FROM inbox_seen WHERE message_id IN (SELECT message_id FROM inbox_seen ORDER BY message_id DESC LIMIT -1 OFFSET ?)",
      ),
    };
  }

  appendMessages(conversation: string, messages: readonly ModelMessage[]): void {
    const now = this.#now();
    const bodies = messages.map((m) => JSON.stringify(m));
    this.db.transaction(() => {
      messages.forEach((m, i) => {
        this.#s.appendMessage.run(conversation, m.role, bodies[i], now);
      });
    })();
    const tail = this.#tails.get(conversation);
    if (!tail) return;
    // The cache holds what a reload would return: the stored JSON, parsed.
    for (const body of bodies) tail.messages.push(JSON.parse(body) as ModelMessage);
    tail.count += bodies.length;
    if (tail.messages.length > TAIL_CACHE) tail.messages.splice(0, tail.messages.length - TAIL_CACHE);
  }

  #tail(conversation: string): { count: number; messages: ModelMessage[] } {
    let tail = this.#tails.get(conversation);
    if (tail) return tail;
    tail = { count: this.#countRows(conversation), messages: this.#load(conversation, TAIL_CACHE) };
    if (this.#tails.size >= CACHED_CONVERSATIONS) this.#tails.delete(this.#tails.keys().next().value ?? "");
    this.#tails.set(conversation, tail);
    return tail;
  }

  #load(conversation: string, limit: number): ModelMessage[] {
    const rows = this.#s.recentMessages.all(conversation, limit).map((r) => messageRowSchema.parse(r));
    return rows.map((r) => JSON.parse(r.body) as ModelMessage);
  }

  #countRows(conversation: string): number {
    return (this.#s.countMessages.get(conversation) as { n: number }).n;
  }

  /**
   * The last `limit` messages, starting at a user message so no tool result is separated from the
   * assistant message that called it. The array is the caller's; the message objects are shared with
   * the cache and must not be mutated.
   */
  history(conversation: string, limit = HISTORY_WINDOW): ModelMessage[] {
    const messages =
      limit <= TAIL_CACHE ? this.#tail(conversation).messages.slice(-limit) : this.#load(conversation, limit);
    if (limit <= 0) return [];
    const firstUser = messages.findIndex((m) => m.role === "user");
    return firstUser <= 0 ? (firstUser === 0 ? messages : []) : messages.slice(firstUser);
  }

  messageCount(conversation: string): number {
    return this.#tail(conversation).count;
  }

  clearConversation(conversation: string): number {
    this.#tails.delete(conversation);
    return this.#s.clearConversation.run(conversation).changes;
  }

  createTask(t: {
    id: string;
    idempotencyKey: string | null;
    requestHash: string;
    prompt: string;
    sender: string;
  }): TaskRow {
    const now = this.#now();
    this.#s.insertTask.run(t.id, t.idempotencyKey, t.requestHash, t.prompt, t.sender, now, now);
    this.#s.pruneTasks.run(TASKS_KEEP);
    return this.task(t.id) as TaskRow;
  }

  task(id: string): TaskRow | undefined {
    const row = this.#s.taskById.get(id);
    return row === undefined ? undefined : taskRowSchema.parse(row);
  }

  taskByIdempotencyKey(key: string): TaskRow | undefined {
    const row = this.#s.taskByKey.get(key);
    return row === undefined ? undefined : taskRowSchema.parse(row);
  }

  setTaskStatus(id: string, status: TaskStatus): void {
    this.#s.setTaskStatus.run(status, this.#now(), id);
  }

  finishTask(
    id: string,
    r: {
      status: TaskStatus;
      reply: string;
      error?: { code: string; message: string };
      calls: number;
      toolCalls: number;
      usage: { input: number; output: number };
      models: string[];
    },
  ): void {
    this.#s.finishTask.run(
      r.status,
      r.reply,
      r.error?.code ?? null,
      r.error?.message ?? null,
      r.calls,
      r.toolCalls,
      r.usage.input,
      r.usage.output,
      JSON.stringify(r.models),
      this.#now(),
      id,
    );
  }

  /** At start-up: runs that were in flight when the process stopped are marked cancelled. */
  interruptUnfinished(): number {
    const e = AgentErrors.cancelled("the agent restarted");
    return this.#s.interruptTasks.run(e.code, e.message, this.#now()).changes;
  }

  /** True the first time a mesh message id is seen; false for redeliveries. */
  markInboxSeen(messageId: number): boolean {
    const fresh = this.#s.markSeen.run(messageId, this.#now()).changes === 1;
    if (fresh && messageId % 100 === 0) this.#s.pruneSeen.run(INBOX_SEEN_KEEP);
    return fresh;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
