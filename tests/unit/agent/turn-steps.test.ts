import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import type { RunResult } from "../../../services/agent/loop/run.js";
import { storeTranscript } from "../../../services/agent/memory/agent-memory.js";
import { prepareContext } from "../../../services/agent/runtime/turn/context.js";
import { retryOnOverflow } from "../../../services/agent/runtime/turn/overflow-retry.js";
import { logTurn, persistChat } from "../../../services/agent/runtime/turn/record.js";
import { SystemPromptCache } from "../../../services/agent/runtime/turn/system-prompt.js";
import { AgentStore, CHAT_CONVERSATION } from "../../../services/agent/state/agent-store.js";
import { Workspace } from "../../../services/agent/state/workspace.js";
import { defineTool } from "../../../services/agent/tools/types.js";

const log = pino({ level: "silent" });
const tool = (name: string) =>
  defineTool({ name, description: name, input: z.strictObject({}), run: async () => "ok" });
const result = (over: Partial<RunResult> = {}): RunResult => ({
  status: "completed",
  reply: "done",
  added: [
    { role: "user", content: "hi" },
    { role: "assistant", content: "done" },
  ],
  calls: 1,
  toolCalls: 0,
  usage: { input: 1, output: 1 },
  models: ["openai/x"],
  ...over,
});
const overflow = result({
  status: "failed",
  reply: "",
  error: {
    code: "OL_ERR_AGENT_CONTEXT_OVERFLOW",
    message: "model openai/x refused the prompt as longer than its context window",
  },
});

describe("turn step: system prompt", () => {
  const cache = new SystemPromptCache({
    agentId: "a1",
    role: "writer",
    project: "p",
    systemPrompt: "Be brief.",
  });
  const files = { workspace: { soul: "calm" }, learnings: {} };

  it("returns the same string for the same files and tools, a new one when either changes", () => {
    const first = cache.build(files, [tool("echo")]);
    expect(first).toContain("calm");
    expect(cache.build({ workspace: { soul: "calm" }, learnings: {} }, [tool("echo")])).toBe(first);
    expect(cache.build(files, [tool("echo"), tool("other")])).toContain("other");
    expect(cache.build({ workspace: { soul: "wild" }, learnings: {} }, [tool("echo")])).toContain("wild");
  });
});

describe("turn steps over a real store and workspace", () => {
  let dir: string;
  let store: AgentStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ol-turn-"));
    store = new AgentStore(join(dir, "agent.db"));
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a chat turn continues the saved conversation; a task starts empty", async () => {
    const transcript = storeTranscript(store, CHAT_CONVERSATION);
    const signal = new AbortController().signal;
    await persistChat({ store, log }, { mode: "chat", transcript, signal }, result(), "s");
    const chat = await prepareContext({}, { mode: "chat", prompt: "next", transcript, signal }, "s");
    expect(chat).toEqual({ system: "s", history: result().added });
    const task = await prepareContext({}, { mode: "task", prompt: "t", transcript, signal }, "s");
    expect(task.history).toEqual([]);
  });

  it("a task's messages are not saved to the conversation", async () => {
    const transcript = storeTranscript(store, CHAT_CONVERSATION);
    await persistChat(
      { store, log },
      { mode: "task", transcript, signal: new AbortController().signal },
      result(),
      "s",
    );
    expect(store.messageCount(CHAT_CONVERSATION)).toBe(0);
  });

  it("the daily log entry is dated by the clock passed in", async () => {
    const workspace = new Workspace(dir, () => new Date("2031-02-03T04:05:06Z"));
    await logTurn({ workspace, log }, { mode: "chat", from: "operator", prompt: "hello" }, result());
    const text = readFileSync(join(dir, "memory", "2031-02-03.md"), "utf8");
    expect(text).toContain("## 04:05:06 chat from operator (completed)");
    expect(text).toContain("**in:** hello");
  });
});

describe("turn step: overflow retry", () => {
  const rerun = async () => result({ reply: "second try" });

  it("compacts and runs once more when a chat turn overflows", async () => {
    let compactions = 0;
    const compact = async () => ++compactions;
    const r = await retryOnOverflow("chat", overflow, { compact, rerun, log });
    expect(r.reply).toBe("second try");
    expect(compactions).toBe(1);
  });

  it("keeps the failure for tasks, other errors, no memory, or a compaction that did nothing or threw", async () => {
    const ok = async () => true;
    expect(await retryOnOverflow("task", overflow, { compact: ok, rerun, log })).toBe(overflow);
    const other = result({ status: "failed", error: { code: "X", message: "rate limited" } });
    expect(await retryOnOverflow("chat", other, { compact: ok, rerun, log })).toBe(other);
    expect(await retryOnOverflow("chat", overflow, { compact: undefined, rerun, log })).toBe(overflow);
    const none = async () => undefined;
    expect(await retryOnOverflow("chat", overflow, { compact: none, rerun, log })).toBe(overflow);
    const thrown = async () => {
      throw new Error("summary call failed");
    };
    expect(await retryOnOverflow("chat", overflow, { compact: thrown, rerun, log })).toBe(overflow);
  });
});
