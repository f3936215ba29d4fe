import pino from "pino";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { staticProvider, Toolbox, type ToolProvider } from "../../../services/agent/tools/provider.js";
import { defineTool, type Tool, type ToolContext } from "../../../services/agent/tools/types.js";

const tool = (name: string, reply = name): Tool =>
  defineTool({ name, description: name, input: z.strictObject({}), run: async () => reply });
const ctx = { log: pino({ level: "silent" }) } as unknown as ToolContext;

describe("tool providers merged by the Toolbox", () => {
  it("offers every provider's tools in provider order", () => {
    const box = new Toolbox([
      staticProvider("a", [tool("one"), tool("two")]),
      staticProvider("b", [tool("three")]),
    ]);
    expect(box.current().names).toEqual(["one", "two", "three"]);
  });

  it("refuses a clash from a provider without a prefix", () => {
    const box = new Toolbox([
      staticProvider("a", [tool("read_file")]),
      staticProvider("b", [tool("read_file")]),
    ]);
    expect(() => box.current()).toThrow(/registered twice/);
  });

  it("renames a clashing tool with its provider's prefix, and the renamed tool runs the provider's code", async () => {
    const mcp: ToolProvider = {
      id: "mcp",
      clashPrefix: "mcp_fs_",
      tools: () => [tool("read_file", "from mcp")],
    };
    const box = new Toolbox([staticProvider("local", [tool("read_file", "built-in")]), mcp]);
    const reg = box.current();
    expect(reg.names).toEqual(["read_file", "mcp_fs_read_file"]);
    expect((await reg.execute("read_file", {}, ctx)).text).toBe("built-in");
    expect((await reg.execute("mcp_fs_read_file", {}, ctx)).text).toBe("from mcp");
  });

  it("rebuilds the registry only when a provider's list changed, and starts and stops providers", async () => {
    let list: Tool[] = [tool("x")];
    const events: string[] = [];
    const dynamic: ToolProvider = {
      id: "dyn",
      tools: () => list,
      start: async () => {
        events.push("start");
      },
      stop: async () => {
        events.push("stop");
      },
      status: () => ({ servers: 1 }),
    };
    const box = new Toolbox([dynamic]);
    await box.start({ manifest: {} as never, dataRoot: "/tmp", log: pino({ level: "silent" }) });
    const first = box.current();
    expect(box.current()).toBe(first);
    list = [tool("x"), tool("y")];
    expect(box.current().names).toEqual(["x", "y"]);
    expect(box.status()).toEqual({ dyn: { servers: 1 } });
    await box.stop();
    expect(events).toEqual(["start", "stop"]);
  });
});
