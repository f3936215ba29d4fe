import { mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BUILTIN_TOOLS } from "../../../services/agent/tools/index.js";
import { ToolRegistry } from "../../../services/agent/tools/registry.js";
import type { ToolContext } from "../../../services/agent/tools/types.js";
import { makeSandbox, toolCtx } from "./helpers.js";

const reg = new ToolRegistry(BUILTIN_TOOLS);
let box: Awaited<ReturnType<typeof makeSandbox>>;
let ctx: ToolContext;

beforeEach(async () => {
  box = await makeSandbox();
  ctx = toolCtx(box.root);
});
afterEach(async () => {
  await box.cleanup();
});

const read = (path: string) => reg.execute("read_file", { path }, ctx);
const write = (path: string, content = "PWNED") => reg.execute("write_file", { path, content }, ctx);

async function expectSentinelUntouched(): Promise<void> {
  expect(await readFile(box.sentinel, "utf8")).toBe("SENTINEL");
}

describe("file tools stay inside the data root", () => {
  it("reads, writes, appends and lists inside the root, /data/ prefix included", async () => {
    expect(await write("notes/a.txt", "one\n")).toMatchObject({ ok: true });
    expect(
      await reg.execute("write_file", { path: "/data/notes/a.txt", content: "two\n", append: true }, ctx),
    ).toMatchObject({ ok: true });
    expect(await read("notes/a.txt")).toEqual({ ok: true, text: "one\ntwo\n" });
    const listed = await reg.execute("list_files", { recursive: true }, ctx);
    expect(listed.text).toContain("notes/a.txt (8 bytes)");
  });

  it("refuses ../ traversal, absolute paths, NUL bytes and prefix confusion", async () => {
    for (const path of [
      "../outside/secret.txt",
      "/etc/passwd",
      join(box.outside, "secret.txt"),
      "a\u0000b",
      "/data/../outside/secret.txt",
      "../data2/x",
    ]) {
      const r = await read(path);
      expect(r.ok, path).toBe(false);
      expect(r.code).toBe("OL_ERR_AGENT_PATH_REFUSED");
    }
    expect((await write("../outside/secret.txt")).code).toBe("OL_ERR_AGENT_PATH_REFUSED");
    await expectSentinelUntouched();
  });

  it("refuses a symlink to the outside created by exec, for reading and writing", async () => {
    const r = await reg.execute("exec", { command: `ln -s ${box.sentinel} link.txt` }, ctx);
    expect(r.ok).toBe(true);
    expect((await read("link.txt")).code).toBe("OL_ERR_AGENT_PATH_REFUSED");
    expect((await write("link.txt")).code).toBe("OL_ERR_AGENT_PATH_REFUSED");
    await expectSentinelUntouched();
  });

  it("refuses a relative symlink chain that climbs out", async () => {
    await mkdir(join(box.root, "a"));
    await symlink("../b", join(box.root, "a", "up"));
    await symlink("../outside", join(box.root, "b"));
    expect((await read("a/up/secret.txt")).code).toBe("OL_ERR_AGENT_PATH_REFUSED");
    expect((await write("a/up/secret.txt")).code).toBe("OL_ERR_AGENT_PATH_REFUSED");
    expect((await write("a/up/new.txt")).code).toBe("OL_ERR_AGENT_PATH_REFUSED");
    await expectSentinelUntouched();
  });

  it("refuses a symlink followed by .. and a dangling symlink write", async () => {
    await mkdir(join(box.root, "sub"));
    await symlink("..", join(box.root, "sub", "up"));
    expect((await read("sub/up/../outside/secret.txt")).code).toBe("OL_ERR_AGENT_PATH_REFUSED");
    await symlink(join(box.outside, "created.txt"), join(box.root, "new.txt"));
    expect((await write("new.txt")).code).toBe("OL_ERR_AGENT_PATH_REFUSED");
    await expect(readFile(join(box.outside, "created.txt"))).rejects.toThrow();
    await expectSentinelUntouched();
  });

  it("lists a symlinked directory without descending into it", async () => {
    await symlink(box.outside, join(box.root, "etc-link"));
    const r = await reg.execute("list_files", { recursive: true }, ctx);
    expect(r.text).toContain("etc-link -> (symlink)");
    expect(r.text).not.toContain("secret.txt");
    expect((await reg.execute("list_files", { path: "etc-link" }, ctx)).code).toBe(
      "OL_ERR_AGENT_PATH_REFUSED",
    );
  });

  it("keeps SOUL.md read-only and pages through large files", async () => {
    expect((await write("SOUL.md")).code).toBe("OL_ERR_AGENT_TOOL_READ_ONLY");
    await writeFile(join(box.root, "big.txt"), "0123456789".repeat(10));
    const page = await reg.execute("read_file", { path: "big.txt", offset: 10, limit: 20 }, ctx);
    expect(page.text).toContain("01234567890123456789");
    expect(page.text).toContain("continue with offset 30");
  });
});
