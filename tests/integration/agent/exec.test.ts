import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { execTool } from "../../../services/agent/tools/exec.js";
import { ToolRegistry } from "../../../services/agent/tools/registry.js";
import type { ToolContext } from "../../../services/agent/tools/types.js";
import { makeSandbox, toolCtx } from "./helpers.js";

const reg = new ToolRegistry([execTool]);
let box: Awaited<ReturnType<typeof makeSandbox>>;
let ctx: ToolContext;

beforeEach(async () => {
  box = await makeSandbox();
  ctx = toolCtx(box.root);
});
afterEach(async () => {
  await box.cleanup();
});

const run = async (args: Record<string, unknown>) => {
  const r = await reg.execute("exec", args, ctx);
  return { ...r, json: r.ok ? (JSON.parse(r.text) as Record<string, unknown>) : undefined };
};

/** True while /proc/<pid> exists and is not a zombie. */
async function alive(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    return stat.split(") ")[1]?.[0] !== "Z";
  } catch {
    return false;
  }
}

describe("exec", () => {
  it("runs in the data root as the runtime's user, with an allow-listed environment", async () => {
    const r = await run({ command: "pwd; id -u; env | sort" });
    const out = String(r.json?.stdout);
    expect(out.split("\n")[0]).toBe(box.root);
    expect(out.split("\n")[1]).toBe(String(process.getuid?.()));
    expect(out).toContain(`HOME=${box.root}`);
    expect(out).not.toMatch(/TOKEN|KEY|OPENLEGION/);
    expect(r.json?.exit_code).toBe(0);
  });

  it("kills the whole process group on timeout, grandchildren included", async () => {
    const r = await run({
      command: "sh -c 'sleep 300 & echo $! > gc.pid; wait' & sleep 300; wait",
      timeout_s: 1,
    });
    expect(r.json?.timed_out).toBe(true);
    const pid = Number((await readFile(join(box.root, "gc.pid"), "utf8")).trim());
    expect(pid).toBeGreaterThan(0);
    for (let i = 0; i < 50 && (await alive(pid)); i++) await new Promise((res) => setTimeout(res, 100));
    expect(await alive(pid)).toBe(false);
  });

  it("returns promptly when a background job holds the pipes, and kills that job", async () => {
    const r = await run({ command: "sleep 60 & echo $! > bg.pid; echo hi", timeout_s: 30 });
    expect(String(r.json?.stdout).trim()).toBe("hi");
    expect(r.json?.timed_out).toBe(false);
    const pid = Number((await readFile(join(box.root, "bg.pid"), "utf8")).trim());
    for (let i = 0; i < 50 && (await alive(pid)); i++) await new Promise((res) => setTimeout(res, 100));
    expect(await alive(pid)).toBe(false);
  });

  it("caps output without blocking the child", async () => {
    const r = await run({ command: "yes | head -c 5000000; echo done >&2" });
    expect(r.json?.exit_code).toBe(0);
    expect(r.json?.stdout_bytes).toBe(5_000_000);
    expect(r.json?.truncated).toBe(true);
    expect(String(r.json?.stdout).length).toBeLessThan(25_000);
    expect(String(r.json?.stdout)).toContain("bytes omitted of 5000000");
  });

  it("refuses a workdir outside the root and an over-long timeout", async () => {
    expect((await reg.execute("exec", { command: "true", workdir: "/etc" }, ctx)).code).toBe(
      "OL_ERR_AGENT_PATH_REFUSED",
    );
    expect((await reg.execute("exec", { command: "true", timeout_s: 301 }, ctx)).code).toBe(
      "OL_ERR_AGENT_TOOL_INVALID_ARGS",
    );
  });

  it("is killed when the run is cancelled", async () => {
    const ac = new AbortController();
    const p = reg.execute("exec", { command: "sleep 30" }, { ...ctx, signal: ac.signal });
    setTimeout(() => ac.abort(), 200);
    const r = await p;
    expect(JSON.parse(r.text)).toMatchObject({ cancelled: true, timed_out: false });
  });
});
