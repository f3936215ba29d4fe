import { readFileSync } from "node:fs";
import type { ModelMessage } from "ai";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConversationMemory } from "../../../services/agent/memory/context/conversation.js";
import type { FakeProvider } from "../../fakes/llm-provider/index.js";
import { ArrayTranscript, Env, fakeLlm } from "./helpers.js";

let env: Env;
let fake: FakeProvider;
beforeEach(async () => {
  env = new Env();
  fake = await env.startFake();
});
afterEach(async () => {
  await env.cleanup();
});

const WINDOW = 10_000;
const signal = () => new AbortController().signal;
const DEPLOY = "the deploy key lives in vault path ops/deploy-2";
const EXTRACTED = JSON.stringify({
  facts: [
    {
      text: "The deploy key lives in vault path ops/deploy-2",
      key: "deploy key location",
      category: "technical",
      importance: 0.8,
    },
  ],
});

/** A scripted long conversation: the fact early on, then filler turns of ~254 estimated tokens each. */
function conversation(messages: number): ArrayTranscript {
  const t = new ArrayTranscript();
  t.messages.push({ role: "user", content: `${DEPLOY}. ${"a".repeat(950)}` });
  for (let i = 1; i < messages; i++) {
    const role = i % 2 === 0 ? "user" : "assistant";
    t.messages.push({ role, content: `turn ${i} ${"filler ".repeat(142)}` } as ModelMessage);
  }
  return t;
}

const manager = () =>
  new ConversationMemory({
    memory: env.open(),
    llm: fakeLlm(fake),
    model: "openai/gpt-4o-mini",
    window: WINDOW,
  });

describe("context manager thresholds", () => {
  it("below 60 %: nothing happens and no model call is made", async () => {
    const r = await manager().afterTurn("chat", conversation(20), { system: "", signal: signal() });
    expect(r.action).toBe("none");
    expect(fake.requests).toHaveLength(0);
  });

  it("at 60 %: one silent extraction turn, facts in the DB and MEMORY.md, once per cycle", async () => {
    fake.script("openai", { text: EXTRACTED });
    const cm = manager();
    const t = conversation(24);
    const r = await cm.afterTurn("chat", t, { system: "", signal: signal() });
    expect(r).toMatchObject({ action: "flush", factsSaved: 1 });
    expect(fake.requests).toHaveLength(1);
    const memory = env.opened[0]!;
    expect(memory.facts.currentByKey("deploy key location")?.source).toBe("context_flush");
    expect(readFileSync(`${env.root}/MEMORY.md`, "utf8")).toContain(
      "- The deploy key lives in vault path ops/deploy-2",
    );
    expect(t.messages).toHaveLength(24); // the flush never touches the transcript
    t.messages.push({ role: "user", content: "x".repeat(1200) });
    expect((await cm.afterTurn("chat", t, { system: "", signal: signal() })).action).toBe("none");
    expect(fake.requests).toHaveLength(1);
  });

  it("at 70 %: facts are extracted first, then summary + last 4 messages; survives a restart", async () => {
    fake.script(
      "openai",
      { text: EXTRACTED },
      { text: "Summary: the user set up deploys; filler followed." },
    );
    const t = conversation(28);
    const r = await manager().afterTurn("chat", t, { system: "", signal: signal() });
    expect(r.action).toBe("compact");
    expect(r.compaction).toMatchObject({ dropped: 24, covered: 24, factsSaved: 1 });
    const [extract, summary] = fake.requests.map((q) => JSON.stringify(q.json));
    expect(extract).toContain("extract durable facts");
    expect(summary).toContain("compact a conversation");
    expect(summary).toContain("deploy key"); // the dropped messages were summarised …
    expect(env.opened[0]?.facts.currentByKey("deploy key location")?.source).toBe("compaction"); // … after being saved
    expect(t.messages).toHaveLength(28); // nothing is lost: the transcript stays whole

    env.opened[0]?.close(); // restart
    const after = new ConversationMemory({
      memory: env.open(),
      llm: fakeLlm(fake),
      model: "openai/gpt-4o-mini",
      window: WINDOW,
    });
    const p = await after.prepare("chat", t, "where does the deploy key live?", signal());
    expect(p.history).toEqual(t.messages.slice(-4));
    expect(p.systemSuffix).toContain("Summary: the user set up deploys");
    expect(p.firstOfSession).toBe(false);
    const recall = await env.opened[1]!.recall({ query: "where does the deploy key live?" });
    expect(recall.facts[0]?.text).toBe("The deploy key lives in vault path ops/deploy-2");
  });

  it("warns in the context at 80 %", async () => {
    const p = await manager().prepare("chat", conversation(32), "next", signal());
    expect(p.systemSuffix).toMatch(/\[context: 8\d% of the model's window is in use/);
  });

  it("a failing summariser (500 twice) still compacts, with a note instead of a summary", async () => {
    fake.script("openai", { text: EXTRACTED }, { error: { status: 500 } }, { error: { status: 500 } });
    const t = conversation(28);
    const r = await manager().afterTurn("chat", t, { system: "", signal: signal() });
    expect(r.compaction?.summary).toContain("24 earlier messages were compacted without a summary");
    expect(r.compaction?.kept).toHaveLength(4);
    expect(fake.requests).toHaveLength(3);
  });

  it("a second compaction merges with the stored summary", async () => {
    fake.script("openai", { text: '{"facts":[]}' }, { text: "First summary." });
    const cm = manager();
    const t = conversation(28);
    await cm.afterTurn("chat", t, { system: "", signal: signal() });
    for (let i = 0; i < 26; i++)
      t.messages.push({ role: i % 2 ? "assistant" : "user", content: "more ".repeat(200) });
    fake.script("openai", { text: '{"facts":[]}' }, { text: "Second summary." });
    const r = await cm.afterTurn("chat", t, { system: "", signal: signal() });
    expect(r.action).toBe("compact");
    expect(JSON.stringify(fake.requests[3]?.json)).toContain("Previous summary:\\nFirst summary.");
    expect(r.compaction?.covered).toBe(t.messages.length - 4);
  });

  it("compactNow (provider said the context is too long) compacts below the thresholds", async () => {
    fake.script("openai", { text: '{"facts":[]}' }, { text: "Short summary." });
    const r = await manager().compactNow("chat", conversation(10), signal());
    expect(r).toMatchObject({ dropped: 6, summary: "Short summary." });
  });
});
