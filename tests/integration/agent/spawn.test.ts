import { afterEach, describe, expect, it } from "vitest";
import { Spawner } from "../../../services/agent/loop/spawner.js";
import { builtinRegistry } from "../../../services/agent/tools/index.js";
import type { RecordedRequest } from "../../fakes/llm-provider/index.js";
import { type Harness, messagesOf, runTask, startHarness, toolMessages, toolsOffered } from "./harness.js";
import { makeSandbox, toolCtx } from "./helpers.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const isSub = (req: RecordedRequest) => String(messagesOf(req)[0]?.content).includes("You are a sub-agent");

describe("spawn_agent", () => {
  it("runs at most 3 sub-agents at once; the 4th is refused and the parent reads why", async () => {
    h = await startHarness();
    const decide = (req: RecordedRequest) => {
      if (isSub(req))
        return { text: `sub done: ${String(messagesOf(req).at(-1)?.content)}`, chunkDelayMs: 50 };
      if (messagesOf(req).at(-1)?.role === "tool") return { text: "parent done" };
      return { toolCalls: [1, 2, 3, 4].map((n) => ({ name: "spawn_agent", args: { task: `part ${n}` } })) };
    };
    h.fake.script("openai", ...Array.from({ length: 10 }, () => decide));
    const task = await runTask(h, "split the work");
    expect(task).toMatchObject({ status: "completed", reply: "parent done" });
    const results = toolMessages(h.fake.requests.at(-1));
    expect(results.filter((r) => r.startsWith("sub done: part"))).toHaveLength(3);
    expect(results.filter((r) => r.includes("OL_ERR_AGENT_SPAWN_LIMIT"))).toHaveLength(1);
    // Sub-agents use the parent's token (cost counted against the parent) and one level deeper still see spawn_agent.
    const sub = h.fake.requests.find(isSub);
    expect(sub?.credential?.value).toMatch(/^agent-token/);
    expect(toolsOffered(sub)).toContain("spawn_agent");
  });

  it("refuses to nest deeper than 2 and drops spawn_agent from the deepest sub-agents' tools", async () => {
    const box = await makeSandbox();
    try {
      const deps = {
        registry: builtinRegistry(),
        step: {
          models: ["openai/x"],
          resolve: () => {
            throw new Error("no model");
          },
        },
      };
      await expect(
        new Spawner(deps, 2).spawn({ task: "t", role: "r", ttlS: 5 }, toolCtx(box.root)),
      ).rejects.toThrow(/max depth 2/);
    } finally {
      await box.cleanup();
    }
    h = await startHarness();
    const decide = (req: RecordedRequest) => {
      const tools = toolsOffered(req);
      if (messagesOf(req).at(-1)?.role === "tool") return { text: "ok" };
      if (tools.includes("spawn_agent"))
        return { toolCalls: [{ name: "spawn_agent", args: { task: "go deeper" } }] };
      return { text: "deepest" };
    };
    h.fake.script("openai", ...Array.from({ length: 10 }, () => decide));
    const task = await runTask(h, "nest");
    expect(task.status).toBe("completed");
    // parent (depth 0) → sub (depth 1) → sub (depth 2, no spawn_agent)
    const deepest = h.fake.requests.filter((r) => isSub(r) && !toolsOffered(r).includes("spawn_agent"));
    expect(deepest.length).toBeGreaterThan(0);
  });

  it("ends a sub-agent at its TTL and tells the parent", async () => {
    h = await startHarness();
    const decide = (req: RecordedRequest) => {
      if (isSub(req)) return { toolCalls: [{ name: "exec", args: { command: "sleep 10" } }] };
      if (messagesOf(req).at(-1)?.role === "tool")
        return { text: `parent saw: ${toolMessages(req)[0] ?? ""}` };
      return { toolCalls: [{ name: "spawn_agent", args: { task: "slow", ttl_s: 1 } }] };
    };
    h.fake.script("openai", ...Array.from({ length: 5 }, () => decide));
    const task = await runTask(h, "slow sub");
    expect(String(task.reply)).toContain("time limit of 1 s reached");
  });
});
