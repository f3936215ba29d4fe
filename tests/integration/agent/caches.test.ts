import { appendFile, mkdir, rename, symlink, unlink, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ModelMessage } from "ai";
import { afterEach, describe, expect, it } from "vitest";
import { exposeGc, HeapTrim } from "../../../services/agent/runtime/heap-trim.js";
import { AgentStore, TAIL_CACHE } from "../../../services/agent/state/agent-store.js";
import { Workspace } from "../../../services/agent/state/workspace.js";
import { builtinRegistry } from "../../../services/agent/tools/index.js";
import { ToolRegistry } from "../../../services/agent/tools/registry.js";
import { makeSandbox } from "./helpers.js";

const boxes: { cleanup: () => Promise<void> }[] = [];
const stores: AgentStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) s.close();
  for (const b of boxes.splice(0)) await b.cleanup();
});
const sandbox = async () => {
  const box = await makeSandbox();
  boxes.push(box);
  return box;
};

describe("workspace file cache", () => {
  it("sees every edit, even one that keeps the size and the mtime", async () => {
    const { root } = await sandbox();
    const ws = new Workspace(root);
    const file = join(root, "SOUL.md");
    await writeFile(file, "calm");
    expect(await ws.read("SOUL.md")).toBe("calm");
    expect(await ws.read("SOUL.md")).toBe("calm");
    const then = new Date("2020-01-01T00:00:00Z");
    await utimes(file, then, then);
    expect(await ws.read("SOUL.md")).toBe("calm");
    await writeFile(file, "bold");
    await utimes(file, then, then); // same size, same mtime: the ctime still moved
    expect(await ws.read("SOUL.md")).toBe("bold");
    await appendFile(file, "er");
    expect(await ws.read("SOUL.md")).toBe("bolder");
    await unlink(file);
    expect(await ws.read("SOUL.md")).toBeUndefined();
    await ws.append("SOUL.md", "new");
    expect(await ws.read("SOUL.md")).toBe("new");
  });

  it("refuses a cached file once it is swapped for a symlink to the outside", async () => {
    const { root, sentinel } = await sandbox();
    const ws = new Workspace(root);
    await writeFile(join(root, "USER.md"), "the user");
    expect(await ws.read("USER.md")).toBe("the user");
    await unlink(join(root, "USER.md"));
    await symlink(sentinel, join(root, "USER.md"));
    expect(await ws.read("USER.md")).toBeUndefined();
    expect(await ws.read("USER.md")).toBeUndefined();
    // A directory on the way swapped for a symlink to the outside is refused too.
    await mkdir(join(root, "learnings"));
    await writeFile(join(root, "learnings/errors.md"), "inside");
    expect(await ws.read("learnings/errors.md")).toBe("inside");
    await rename(join(root, "learnings"), join(root, "old"));
    await writeFile(join(sentinel, "..", "errors.md"), "inside");
    await symlink(join(sentinel, ".."), join(root, "learnings"));
    expect(await ws.read("learnings/errors.md")).toBeUndefined();
  });
});

describe("conversation tail cache", () => {
  const msg = (i: number): ModelMessage =>
    i % 2 === 0
      ? { role: "user", content: `question ${i}` }
      : { role: "assistant", content: [{ type: "text", text: `answer ${i}` }] };

  it("answers exactly what a fresh read of the database answers", async () => {
    const { root } = await sandbox();
    const path = join(root, "agent.db");
    const store = new AgentStore(path);
    stores.push(store);
    expect(store.history("chat")).toEqual([]);
    const total = TAIL_CACHE + 38; // even: the last message is an assistant one
    for (let i = 0; i < total; i += 5)
      store.appendMessages(
        "chat",
        Array.from({ length: Math.min(5, total - i) }, (_, k) => msg(i + k)),
      );
    store.appendMessages("other", [msg(0)]);
    const fresh = new AgentStore(path);
    stores.push(fresh);
    for (const n of [1, 2, 3, 200, TAIL_CACHE, TAIL_CACHE + 10]) {
      expect(store.history("chat", n)).toEqual(fresh.history("chat", n));
    }
    expect(store.messageCount("chat")).toBe(total);
    expect(store.history("chat", 1)).toEqual([]); // the last message is an assistant one
    expect(store.history("chat", 2)[0]).toEqual(msg(total - 2));
    expect(store.clearConversation("chat")).toBe(total);
    expect(store.history("chat")).toEqual([]);
    expect(store.messageCount("chat")).toBe(0);
    expect(store.messageCount("other")).toBe(1);
  });

  it("hands out arrays the caller may change without touching the cache", async () => {
    const { root } = await sandbox();
    const store = new AgentStore(join(root, "agent.db"));
    stores.push(store);
    store.appendMessages("chat", [msg(0), msg(1)]);
    const h = store.history("chat");
    h.push(msg(2));
    expect(store.history("chat")).toHaveLength(2);
  });
});

describe("idle heap trim", () => {
  it("gets V8's gc without leaving a global gc behind", () => {
    const had = typeof (globalThis as { gc?: unknown }).gc === "function";
    const gc = exposeGc();
    expect(typeof gc).toBe("function");
    expect(typeof (globalThis as { gc?: unknown }).gc === "function").toBe(had);
    gc?.({ type: "major", execution: "sync", flavor: "last-resort" });
  });

  it("trims once per idle period and never while busy", async () => {
    const calls: unknown[] = [];
    let idle = true;
    const trim = new HeapTrim({ gc: (o) => calls.push(o), isIdle: () => idle, delayMs: 20 });
    trim.schedule();
    trim.schedule();
    await new Promise((r) => setTimeout(r, 60));
    expect(calls).toEqual([{ type: "major", execution: "sync", flavor: "last-resort" }]);
    idle = false;
    trim.schedule();
    await new Promise((r) => setTimeout(r, 60));
    expect(trim.trims).toBe(1);
    idle = true;
    trim.schedule();
    trim.close();
    await new Promise((r) => setTimeout(r, 60));
    expect(trim.trims).toBe(1);
  });
});

describe("tool schemas", () => {
  it("drop the empty propertyNames that makes the OpenAI SDK warn at every call", () => {
    for (const tool of builtinRegistry().list())
      expect(JSON.stringify(ToolRegistry.schemaOf(tool))).not.toContain('"propertyNames":{"type":"string"}');
  });
});
