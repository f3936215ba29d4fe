import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Env, localEmbedder } from "./helpers.js";

let env: Env;
beforeEach(() => {
  env = new Env();
});
afterEach(async () => {
  await env.cleanup();
});

describe("facts: dedupe, merge, supersede", () => {
  it("merges an exact duplicate instead of piling it up", async () => {
    const m = env.open({ embedder: localEmbedder() });
    const a = await m.save({ text: "The user prefers dark mode." });
    const b = await m.save({ text: "  the user prefers DARK mode " });
    expect(a.action).toBe("created");
    expect(b).toMatchObject({ action: "duplicate", id: a.id });
    expect(m.facts.count()).toBe(1);
  });

  it("merges a near-duplicate rewording into one fact with the more complete wording", async () => {
    const m = env.open();
    const a = await m.save({ text: "The user prefers dark mode in the editor" });
    const b = await m.save({ text: "The user prefers dark mode in the editor and terminal" });
    const c = await m.save({ text: "user prefers the dark mode in editor" });
    expect(b).toMatchObject({ action: "merged", id: a.id });
    expect(c).toMatchObject({ action: "merged", id: a.id });
    expect(m.facts.count()).toBe(1);
    expect(m.facts.get(a.id)?.text).toBe("The user prefers dark mode in the editor and terminal");
  });

  it("a new value for the same key supersedes the old fact and keeps it in history", async () => {
    const m = env.open({ embedder: localEmbedder() });
    const tom = await m.save({ text: "The user's cat is Tom", key: "user cat name" });
    const whisk = await m.save({ text: "Tom passed away; the new cat is Whiskerino", key: "User Cat Name" });
    expect(whisk).toMatchObject({
      action: "superseded",
      previous: { id: tom.id, text: "The user's cat is Tom" },
    });
    const history = m.facts.keyHistory("user cat name");
    expect(history.map((f) => f.text)).toEqual([
      "The user's cat is Tom",
      "Tom passed away; the new cat is Whiskerino",
    ]);
    expect(history[0]?.superseded_by).toBe(whisk.id);
    const r = await m.recall({ query: "Tom cat" });
    expect(r.facts.map((f) => f.id)).toEqual([whisk.id]);
  });

  it("keeps unrelated facts with shared words apart", async () => {
    const m = env.open({ embedder: localEmbedder() });
    await m.save({ text: "My cat's name is Tom" });
    await m.save({ text: "My dog's name is Rex" });
    expect(m.facts.count()).toBe(2);
  });

  it("notes every saved fact in today's daily log", async () => {
    const now = Date.parse("2026-03-04T05:06:07Z");
    const m = env.open({ now: () => now });
    await m.save({ text: "Deploys happen on Fridays", category: "schedule" });
    const { readFileSync } = await import("node:fs");
    expect(readFileSync(`${env.root}/memory/2026-03-04.md`, "utf8")).toBe(
      "- 05:06:07 fact [schedule] Deploys happen on Fridays\n",
    );
  });
});

describe("categories and 3-tier recall", () => {
  it("assigns the model's category, else the fixed fallback", async () => {
    const m = env.open();
    expect((await m.save({ text: "Likes green tea", category: "Preference" })).category).toBe("preference");
    expect((await m.save({ text: "The staging server listens on port 8443" })).category).toBe("technical");
    expect((await m.save({ text: "Zebras are striped" })).category).toBe("general");
  });

  it("category-scoped recall returns only that category", async () => {
    const m = env.open({ embedder: localEmbedder() });
    for (let i = 0; i < 10; i++)
      await m.save({ text: `preference number ${i}: likes tea flavour ${i}`, category: "preference" });
    for (let i = 0; i < 100; i++)
      await m.save({ text: `general note ${i} about tea and flavour ${i}`, category: "general" });
    const r = await m.recall({ query: "tea flavour", category: "preference", limit: 25 });
    expect(r.facts).toHaveLength(10);
    expect(r.facts.every((f) => f.category === "preference" && f.tier === "category")).toBe(true);
    const unknown = await m.recall({ query: "tea", category: "contact" });
    expect(unknown.facts).toEqual([]);
    expect(unknown.note).toContain('no facts in category "contact"');
  });

  it("scopes to categories the query names, then fills from the flat search", async () => {
    const m = env.open();
    await m.save({ text: "Prefers short answers", category: "preference" });
    await m.save({ text: "Answers go to the support inbox", category: "project" });
    const r = await m.recall({ query: "preference for answers", limit: 5 });
    expect(r.facts[0]).toMatchObject({ text: "Prefers short answers", tier: "scoped" });
    expect(r.facts[1]).toMatchObject({ text: "Answers go to the support inbox", tier: "flat" });
  });

  it("counts recalls in one transaction and lets a recalled fact outrank an equal one", async () => {
    const m = env.open();
    const a = await m.save({ text: "alpha project uses postgres" });
    const b = await m.save({ text: "beta project uses postgres" });
    for (let i = 0; i < 5; i++) await m.recall({ query: "alpha" });
    expect(m.facts.get(a.id)?.access_count).toBe(5);
    const r = await m.recall({ query: "project postgres" });
    expect(r.facts.map((f) => f.id)).toEqual([a.id, b.id]);
  });
});

describe("bad input", () => {
  it("refuses a 1 MB fact and NUL bytes with precise errors, storing nothing", async () => {
    const m = env.open();
    await expect(m.save({ text: "x".repeat(1024 * 1024) })).rejects.toMatchObject({
      code: "OL_ERR_MEMORY_TOO_LARGE",
      message: expect.stringContaining("fact text is 1048576 bytes; the limit is 4096 bytes"),
    });
    await expect(m.save({ text: "cat\u0000name" })).rejects.toMatchObject({ code: "OL_ERR_MEMORY_NUL_BYTE" });
    await expect(m.recall({ query: "a\u0000" })).rejects.toMatchObject({ code: "OL_ERR_MEMORY_NUL_BYTE" });
    expect(m.facts.count()).toBe(0);
  });

  it.each([
    'what\'s my cat: "name"? OR (',
    "whiskerino*",
    "NEAR(cat whiskerino, 2)",
    "-cat",
    "name:cat",
    '"',
    "***",
    "AND OR NOT",
    'cat\'s "name" ) ( ^ {x}',
  ])("FTS syntax in the query %j does not break search", async (query) => {
    const m = env.open();
    await m.save({ text: "My cat's name is Whiskerino" });
    await m.save({ text: 'Quote "this" * and NEAR(that) -x col:val' });
    const r = await m.recall({ query });
    expect(r.mode).toBe("fts-only");
    if (/cat|whiskerino/i.test(query)) expect(r.facts[0]?.text).toBe("My cat's name is Whiskerino");
  });

  it("stores facts containing FTS syntax verbatim and finds them", async () => {
    const m = env.open();
    const text = 'Run: grep -c "NEAR(" *.log AND NOT ^x';
    await m.save({ text });
    expect((await m.recall({ query: 'grep "NEAR("' })).facts[0]?.text).toBe(text);
  });
});
