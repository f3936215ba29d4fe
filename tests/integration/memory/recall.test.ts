import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { normalizeText } from "../../../services/agent/memory/text.js";
import { embed } from "../../fakes/llm-provider/embed.js";
import { DIMS, Env, localEmbedder } from "./helpers.js";

let env: Env;
beforeEach(() => {
  env = new Env();
});
afterEach(async () => {
  await env.cleanup();
});

const VOCAB =
  "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu deploy key vault path ops lives server port user cat name".split(
    " ",
  );

/** Deterministic pseudo-random facts sharing vocabulary with every query. */
function* distractors(n: number): Generator<string> {
  let seed = 42;
  const next = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed;
  };
  for (let i = 0; i < n; i++) {
    const words = Array.from({ length: 8 }, () => VOCAB[next() % VOCAB.length]);
    yield `${words.join(" ")} ${i}`;
  }
}

describe("RRF ranks an exact match first", () => {
  it("in a DB of 2 facts (the FTS5 IDF clamp makes bm25 ≈ 0 here)", async () => {
    const fake = await env.startFake();
    const m = env.open({ embedder: env.httpEmbedder() });
    await m.save({ text: "My cat's name is Whiskerino" });
    await m.save({ text: "My sister's name is Whitney and she has a cat" });
    const r = await m.recall({ query: "Whiskerino" });
    expect(r.mode).toBe("hybrid");
    expect(r.facts[0]?.text).toBe("My cat's name is Whiskerino");
    expect(fake.requests.every((q) => q.route === "openai.embeddings")).toBe(true);
    expect(fake.requests[0]?.json).toMatchObject({ model: "text-embedding-3-small", dimensions: DIMS });
  });

  it("in a DB of 10 000 facts with near copies", async () => {
    const emb = localEmbedder();
    const m = env.open({ embedder: emb });
    const target = "the deploy key lives in vault path ops deploy 2";
    const rows = [
      ...distractors(9_950),
      ...Array.from({ length: 49 }, (_, i) => `the deploy key lives in vault path ops deploy ${i + 3}`),
      target,
    ];
    m.db.transaction(() => {
      for (const text of rows)
        m.facts.insert(
          { key: null, text, norm: normalizeText(text), category: "general", source: "test", salience: 0.5 },
          embed(text, DIMS),
        );
    })();
    expect(m.facts.count()).toBe(10_000);
    const r = await m.recall({ query: target, limit: 5 });
    expect(r.facts[0]?.text).toBe(target);
    const fts = env.open(); // same file, no embedder: FTS-only
    expect((await fts.recall({ query: target, limit: 5 })).facts[0]?.text).toBe(target);
  });
});

describe("embedding outage", () => {
  it("saves and searches FTS-only when embeddings return 500, says so, and backfills after recovery", async () => {
    const fake = await env.startFake();
    let now = Date.parse("2026-05-01T10:00:00Z");
    const m = env.open({ embedder: env.httpEmbedder(), now: () => now });
    fake.script("embeddings", { error: { status: 500 } });
    const saved = await m.save({ text: "My cat's name is Whiskerino" });
    expect(saved.action).toBe("created");
    const r = await m.recall({ query: "what is my cat's name?" });
    expect(r.mode).toBe("fts-only");
    expect(r.vector_status).toMatch(/^unavailable: embedding call failed: HTTP 500/);
    expect(r.facts[0]?.text).toBe("My cat's name is Whiskerino");
    expect(m.facts.unembedded(10)).toHaveLength(1);
    expect(fake.requests).toHaveLength(1); // cooling down: no call per recall

    now += 31_000;
    expect(await m.backfill()).toBe(1);
    expect(m.facts.unembedded(10)).toHaveLength(0);
    const after = await m.recall({ query: "what is my cat's name?" });
    expect(after).toMatchObject({ mode: "hybrid", vector_status: "ready" });
  });

  it("answers FTS-only, without calling anyone, when no embedder is configured", async () => {
    const m = env.open();
    await m.save({ text: "Backups run at 02:00" });
    const r = await m.recall({ query: "backups" });
    expect(r).toMatchObject({
      mode: "fts-only",
      vector_status: "unavailable: no embedding model configured",
    });
    expect(r.facts).toHaveLength(1);
  });

  it("treats a wrong-dimension answer as a failure, not a crash", async () => {
    const m = env.open({
      embedder: { model: "m", dims: DIMS, embed: async (texts) => texts.map(() => new Float32Array(16)) },
    });
    const r = await m.recall({ query: "anything" });
    expect(r.mode).toBe("fts-only");
    expect(r.vector_status).toContain(`vectors of ${DIMS} dimensions`);
  });
});

describe("vector index identity", () => {
  it("rebuilds the vec0 table when the dimensions change and re-embeds every fact", async () => {
    const a = env.open({ embedder: localEmbedder(DIMS) });
    await a.save({ text: "Fact one about servers" });
    await a.save({ text: "Fact two about ports" });
    a.close();
    const b = env.open({ embedder: localEmbedder(32) });
    expect(b.facts.unembedded(10)).toHaveLength(2);
    expect(await b.backfill()).toBe(2);
    const r = await b.recall({ query: "servers" });
    expect(r.mode).toBe("hybrid");
    expect(r.facts[0]?.text).toBe("Fact one about servers");
  });
});
