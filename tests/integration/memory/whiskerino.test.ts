import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConversationMemory } from "../../../services/agent/memory/context/conversation.js";
import type { MemoryService } from "../../../services/agent/memory/memory-service.js";
import { memoryTools } from "../../../services/agent/memory/tools/index.js";
import { ToolRegistry } from "../../../services/agent/tools/registry.js";
import type { ToolContext } from "../../../services/agent/tools/types.js";
import { ArrayTranscript, Env, fakeLlm } from "./helpers.js";

let env: Env;
beforeEach(() => {
  env = new Env();
});
afterEach(async () => {
  await env.cleanup();
});

/** Only the fields memory tools use are real; the rest would throw if touched. */
const ctx = (): ToolContext =>
  ({
    agentId: "a",
    dataRoot: env.root,
    signal: new AbortController().signal,
    log: pino({ level: "silent" }),
    depth: 0,
  }) as unknown as ToolContext;

async function sessionOne(m: MemoryService, transcript: ArrayTranscript): Promise<void> {
  transcript.messages.push({ role: "user", content: "my cat's name is Whiskerino" });
  const out = await new ToolRegistry(memoryTools(m)).execute(
    "memory_save",
    { text: "The user's cat is named Whiskerino", key: "user cat name" },
    ctx(),
  );
  expect(out.ok).toBe(true);
  transcript.messages.push({ role: "assistant", content: "Noted: your cat is Whiskerino." });
}

async function sessionTwo(m: MemoryService, transcript: ArrayTranscript) {
  const fake = env.fake ?? (await env.startFake());
  const conv = new ConversationMemory({ memory: m, llm: fakeLlm(fake), model: "openai/gpt-4o-mini" });
  const prepared = await conv.prepare(
    "chat",
    transcript,
    "what is my cat called?",
    new AbortController().signal,
  );
  const recall = await new ToolRegistry(memoryTools(m)).execute(
    "memory_recall",
    { query: "what is my cat called?" },
    ctx(),
  );
  return { prepared, recall };
}

describe("Whiskerino: cross-session recall", () => {
  it("survives a process restart (the DB file is closed and reopened)", async () => {
    await env.startFake();
    const first = env.open({ embedder: env.httpEmbedder() });
    await sessionOne(first, new ArrayTranscript());
    first.close();

    const second = env.open({ embedder: env.httpEmbedder() });
    const { prepared, recall } = await sessionTwo(second, new ArrayTranscript());
    expect(prepared.firstOfSession).toBe(true);
    expect(prepared.systemSuffix).toContain("Whiskerino");
    expect(recall.ok).toBe(true);
    expect(JSON.parse(recall.text).facts[0].text).toBe("The user's cat is named Whiskerino");
    expect(second.facts.currentByKey("user cat name")?.access_count).toBeGreaterThanOrEqual(1);
  });

  it("survives a conversation reset in the same process, with embeddings down", async () => {
    const m = env.open();
    const transcript = new ArrayTranscript();
    await sessionOne(m, transcript);
    transcript.messages.length = 0; // the runtime's reset clears the transcript
    new ConversationMemory({ memory: m, llm: async () => "", model: "openai/gpt-4o-mini" }).reset("chat");
    const { prepared, recall } = await sessionTwo(m, transcript);
    expect(prepared.systemSuffix).toContain("Whiskerino");
    expect(JSON.parse(recall.text)).toMatchObject({
      mode: "fts-only",
      facts: [{ text: "The user's cat is named Whiskerino" }],
    });
  });

  it("the daily log also holds the fact (human-readable layer)", async () => {
    const m = env.open();
    await sessionOne(m, new ArrayTranscript());
    const hits = await m.search({ query: "Whiskerino" });
    expect(hits.files[0]?.path).toMatch(/^memory\/\d{4}-\d{2}-\d{2}\.md$/);
    expect(hits.files[0]?.snippet).toContain("Whiskerino");
  });
});
