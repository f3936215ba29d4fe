import { mkdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { chunkText } from "../../../services/agent/memory/workspace-index.js";
import { Env } from "./helpers.js";

let env: Env;
let outside: string;
beforeEach(() => {
  env = new Env();
  outside = `${env.root}-outside`;
  mkdirSync(outside);
});
afterEach(async () => {
  await env.cleanup();
  rmSync(outside, { recursive: true, force: true });
});

const write = (rel: string, text: string) => {
  mkdirSync(join(env.root, rel, ".."), { recursive: true });
  writeFileSync(join(env.root, rel), text);
};

describe("workspace search (BM25 over files)", () => {
  it("finds text in MEMORY.md, daily logs, learnings and user files, with path and line", async () => {
    write("MEMORY.md", "# Memory\n\nThe client is Acme Corp.\n");
    write("memory/2026-01-02.md", "## 10:00 chat\n\nTalked about the quarterly invoice.\n");
    write("learnings/corrections.md", "- use port 8080, not 80\n");
    write("notes/plan.txt", "line one\nline two mentions zeppelin\n");
    const m = env.open();
    const find = async (q: string) => (await m.search({ query: q })).files;
    expect((await find("Acme"))[0]).toMatchObject({ path: "MEMORY.md", line: 1 });
    expect((await find("quarterly invoice"))[0]?.path).toBe("memory/2026-01-02.md");
    expect((await find("port 8080"))[0]?.path).toBe("learnings/corrections.md");
    expect((await find("zeppelin"))[0]).toMatchObject({ path: "notes/plan.txt" });
  });

  it("updates incrementally: changed files are re-read, deleted ones dropped, unchanged ones skipped", async () => {
    write("a.md", "apple");
    write("b.md", "banana");
    const m = env.open();
    expect(await m.files.refresh()).toEqual({ changed: 2, removed: 0, files: 2 });
    expect(await m.files.refresh()).toEqual({ changed: 0, removed: 0, files: 2 });
    write("a.md", "cherry tree");
    utimesSync(join(env.root, "a.md"), new Date(), new Date(Date.now() + 5000));
    rmSync(join(env.root, "b.md"));
    expect(await m.files.refresh()).toEqual({ changed: 1, removed: 1, files: 1 });
    expect(m.files.search("apple", 5)).toEqual([]);
    expect(m.files.search("banana", 5)).toEqual([]);
    expect(m.files.search("cherry", 5)[0]?.path).toBe("a.md");
  });

  it("never follows a symlink out of the data root (e.g. to a secret)", async () => {
    writeFileSync(join(outside, "agent_token"), "supersecret-token-value");
    symlinkSync(join(outside, "agent_token"), join(env.root, "token.txt"));
    symlinkSync(outside, join(env.root, "linked-dir"));
    const m = env.open();
    expect((await m.search({ query: "supersecret" })).files).toEqual([]);
  });

  it("skips binary and oversized files and the database itself", async () => {
    write("bin.txt", "abc\u0000def zebra");
    write("huge.md", `zebra ${"x".repeat(1_100_000)}`);
    const m = env.open();
    await m.save({ text: "zebra facts live in the DB, not in files" });
    expect(
      (await m.search({ query: "zebra" })).files.filter(
        (f) => f.path !== `memory/${new Date().toISOString().slice(0, 10)}.md`,
      ),
    ).toEqual([]);
  });

  it("chunks long files on line boundaries with start lines", () => {
    const text = Array.from({ length: 100 }, (_, i) => `line ${i + 1} ${"w".repeat(50)}`).join("\n");
    const chunks = chunkText(text, 600);
    expect(chunks.length).toBeGreaterThan(5);
    expect(chunks[0]?.line).toBe(1);
    for (const c of chunks) expect(c.text.startsWith(`line ${c.line} `)).toBe(true);
  });
});
