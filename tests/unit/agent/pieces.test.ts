import pino from "pino";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { STEER_CAP, SteerQueue } from "../../../services/agent/loop/steer-queue.js";
import { HeadTailBuffer } from "../../../services/agent/tools/exec/output-buffer.js";
import { BUILTIN_TOOLS } from "../../../services/agent/tools/index.js";
import { ToolRegistry } from "../../../services/agent/tools/registry.js";
import { defineTool, type ToolContext } from "../../../services/agent/tools/types.js";
import { parseDuckDuckGo } from "../../../services/agent/tools/web-search.js";

const echo = defineTool({
  name: "echo",
  description: "echo",
  input: z.strictObject({ text: z.string() }),
  async run(args) {
    return args.text;
  },
});
const boom = defineTool({
  name: "boom",
  description: "throws",
  input: z.strictObject({}),
  async run() {
    throw new TypeError("kaput");
  },
});
const ctx = { log: pino({ level: "silent" }) } as unknown as ToolContext;

describe("tool registry", () => {
  it("rejects duplicate names", () => {
    expect(() => new ToolRegistry([echo, echo])).toThrow(/registered twice/);
  });
  it("holds every built-in tool once, with provider-safe names and JSON schemas", () => {
    const reg = new ToolRegistry(BUILTIN_TOOLS);
    expect(reg.names.length).toBe(22);
    for (const t of reg.list()) expect(ToolRegistry.schemaOf(t)).toMatchObject({ type: "object" });
  });
  it("turns unknown tools, invalid arguments and crashes into error outcomes", async () => {
    const reg = new ToolRegistry([echo, boom]);
    expect(await reg.execute("echo", { text: "hi" }, ctx)).toEqual({ ok: true, text: "hi" });
    const bad = await reg.execute("echo", { text: 42 }, ctx);
    expect(bad).toMatchObject({ ok: false, code: "OL_ERR_AGENT_TOOL_INVALID_ARGS" });
    expect(bad.text).toContain("text:");
    expect(await reg.execute("nope", {}, ctx)).toMatchObject({
      ok: false,
      code: "OL_ERR_AGENT_TOOL_UNKNOWN",
    });
    expect(await reg.execute("boom", {}, ctx)).toMatchObject({ ok: false, code: "OL_ERR_AGENT_TOOL_FAILED" });
    expect(await reg.execute("echo", "{not json", ctx)).toMatchObject({
      ok: false,
      code: "OL_ERR_AGENT_TOOL_INVALID_ARGS",
    });
  });
});

describe("steer queue", () => {
  it("drains oldest first and summarises overflow instead of losing it silently", () => {
    const q = new SteerQueue();
    for (let i = 0; i < STEER_CAP + 3; i++) q.push(`m${i}`);
    const out = q.drain();
    expect(out[0]).toContain("3 earlier message(s)");
    expect(out[1]).toBe("m3");
    expect(out.at(-1)).toBe(`m${STEER_CAP + 2}`);
    expect(q.drain()).toEqual([]);
  });
});

describe("exec output buffer", () => {
  it("keeps head and tail within the cap and counts every byte", () => {
    const b = new HeadTailBuffer(10);
    b.push(Buffer.from("abcdefghij"));
    b.push(Buffer.from("klmnopqrstuvwxyz"));
    expect(b.totalBytes).toBe(26);
    expect(b.truncated).toBe(true);
    expect(b.text()).toMatch(/^abcde\n\[… 16 bytes omitted of 26 …\]\nvwxyz$/);
  });
});

describe("web_search parser", () => {
  it("extracts titles, target URLs and snippets from DuckDuckGo HTML", () => {
    const html = `<div><a rel="nofollow" class="result__a" href="//duckduckgo.com/l/?uddg=https%3A%2F%2Fexample.com%2Fa&amp;rut=1">Example <b>A</b></a>
      <a class="result__snippet" href="x">Snippet &amp; more</a></div>`;
    expect(parseDuckDuckGo(html)).toEqual([
      { title: "Example A", url: "https://example.com/a", snippet: "Snippet & more" },
    ]);
  });
});
