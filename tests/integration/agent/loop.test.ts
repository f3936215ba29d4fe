import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { RecordedRequest } from "../../fakes/llm-provider/index.js";
import {
  chat,
  type Harness,
  messagesOf,
  runTask,
  startHarness,
  toolMessages,
  toolsOffered,
} from "./harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("task mode", () => {
  it("completes a scripted task with three tool calls and feeds every result back", async () => {
    h = await startHarness();
    h.fake.script(
      "openai",
      { toolCalls: [{ name: "write_file", args: { path: "out/report.md", content: "# Report\n" } }] },
      { toolCalls: [{ name: "read_file", args: { path: "out/report.md" } }] },
      { toolCalls: [{ name: "list_files", args: { path: "out" } }] },
      { text: "Report written." },
    );
    const task = await runTask(h, "write a report");
    expect(task).toMatchObject({
      status: "completed",
      reply: "Report written.",
      calls: 4,
      tool_calls: 3,
      models: ["openai/gpt-4o-mini"],
    });
    expect(await readFile(join(h.dataDir, "out/report.md"), "utf8")).toBe("# Report\n");
    const last = h.fake.requests.at(-1);
    expect(toolMessages(last)).toEqual([
      "wrote 9 bytes to out/report.md",
      "# Report\n",
      "out/report.md (9 bytes)",
    ]);
    expect(last?.credential).toEqual({
      source: "authorization",
      value: expect.stringMatching(/^agent-token/),
    });
    expect(last?.path).toBe("/llm/openai/v1/chat/completions");
    const system = String(messagesOf(last)[0]?.content);
    expect(system).toContain("PROJECT: testing");
    expect(system).toContain("You are a test agent.");
    // the daily log got the task
    const day = new Date().toISOString().slice(0, 10);
    expect(await readFile(join(h.dataDir, `memory/${day}.md`), "utf8")).toContain("write a report");
  });

  it("feeds tool errors and invalid arguments back to the model and records the failure", async () => {
    h = await startHarness();
    h.fake.script(
      "openai",
      {
        toolCalls: [
          { name: "read_file", args: { path: "missing.txt" } },
          { name: "read_file", args: { path: 42 } },
          { name: "no_such_tool", args: {} },
        ],
      },
      { text: "I could not read it." },
    );
    const task = await runTask(h, "read it");
    expect(task.status).toBe("completed");
    const results = toolMessages(h.fake.requests.at(-1));
    expect(results[0]).toContain("OL_ERR_AGENT_TOOL_NOT_FOUND");
    expect(results[1]).toContain("OL_ERR_AGENT_TOOL_INVALID_ARGS");
    expect(results[1]).toContain("path");
    expect(results[2]).toContain("OL_ERR_AGENT_TOOL_UNKNOWN");
    expect(await readFile(join(h.dataDir, "learnings/errors.md"), "utf8")).toContain("read_file");
  });

  it("warns on the 3rd identical call, blocks the 5th and ends the run at the 10th", async () => {
    h = await startHarness();
    const same = () => ({ toolCalls: [{ name: "list_files", args: { path: "." } }] });
    h.fake.script("openai", ...Array.from({ length: 12 }, () => same));
    const task = await runTask(h, "list forever");
    expect(task).toMatchObject({ status: "loop_detected", calls: 10 });
    expect((task.error as { code: string }).code).toBe("OL_ERR_AGENT_LOOP_DETECTED");
    const reqs = h.fake.requests;
    expect(reqs).toHaveLength(10);
    const resultAt = (n: number) => toolMessages(reqs[n]).at(-1) ?? "";
    expect(resultAt(2)).not.toContain("warning");
    expect(resultAt(3)).toContain("warning: this is call 3");
    expect(resultAt(5)).toContain("blocked");
  });

  it("never warns or blocks memory_search: the same words can find new facts", async () => {
    h = await startHarness();
    const search = () => ({ toolCalls: [{ name: "memory_search", args: { query: "acme pricing" } }] });
    h.fake.script("openai", ...Array.from({ length: 6 }, () => search), { text: "done" });
    const task = await runTask(h, "search until sure");
    expect(task).toMatchObject({ status: "completed" });
    const reqs = h.fake.requests.filter((r) => r.route === "openai.chat"); // not the embedding calls
    expect(reqs).toHaveLength(7);
    for (let n = 1; n < 7; n++) {
      const result = toolMessages(reqs[n]).at(-1) ?? "";
      expect(result).not.toContain("warning");
      expect(result).not.toContain("blocked");
    }
  });

  it("stops after 20 model calls", async () => {
    h = await startHarness();
    // Unique arguments every time, so only the iteration cap can stop it.
    h.fake.script(
      "openai",
      ...Array.from({ length: 25 }, (_, i) => () => ({
        toolCalls: [{ name: "write_file", args: { path: `f${i}.txt`, content: "x" } }],
      })),
    );
    const task = await runTask(h, "loop forever");
    expect(task).toMatchObject({ status: "iteration_limit", calls: 20 });
    expect(h.fake.requests).toHaveLength(20);
  });

  it("spills a large tool result to a file and sends head, tail and a pointer", async () => {
    h = await startHarness();
    await writeFile(join(h.dataDir, "big.txt"), `HEAD${"x".repeat(60_000)}TAIL`);
    h.fake.script(
      "openai",
      { toolCalls: [{ name: "read_file", args: { path: "big.txt", limit: 100_000 } }] },
      { text: "ok" },
    );
    await runTask(h, "read big");
    const result = toolMessages(h.fake.requests.at(-1))[0] ?? "";
    expect(result.length).toBeLessThan(21_000);
    expect(result.startsWith("HEAD")).toBe(true);
    expect(result).toContain("TAIL");
    const pointer = /\/data\/(tmp\/tool-results\/[^;\s]+\.txt)/.exec(result)?.[1];
    expect(pointer).toBeDefined();
    expect((await readFile(join(h.dataDir, pointer ?? ""), "utf8")).length).toBe(60_008);
  });
});

describe("chat mode", () => {
  it("runs 30 tool rounds, then one request without tools whose answer is the reply", async () => {
    h = await startHarness();
    h.fake.script(
      "openai",
      ...Array.from({ length: 30 }, (_, i) => ({
        toolCalls: [{ name: "write_file", args: { path: `c${i}.txt`, content: "x" } }],
      })),
      (req: RecordedRequest) =>
        toolsOffered(req).length === 0
          ? { text: "final answer without tools" }
          : { toolCalls: [{ name: "list_files", args: {} }] },
    );
    const out = await chat(h, "go");
    expect(out).toMatchObject({ reply: "final answer without tools", status: "tool_limit_reached" });
    expect(h.fake.requests).toHaveLength(31);
    expect(toolsOffered(h.fake.requests[29]).length).toBeGreaterThan(0);
    expect(toolsOffered(h.fake.requests[30])).toEqual([]);
  });
});

describe("failover", () => {
  it("answers from the fallback when the primary returns 429", async () => {
    h = await startHarness({ fallback_models: ["anthropic/claude-haiku-4-5"] });
    h.fake.script("openai", { error: { status: 429 } });
    h.fake.script("anthropic", { text: "from the fallback" });
    const task = await runTask(h, "hello");
    expect(task).toMatchObject({
      status: "completed",
      reply: "from the fallback",
      models: ["anthropic/claude-haiku-4-5"],
    });
    expect(h.fake.requests.map((r) => r.path)).toEqual([
      "/llm/openai/v1/chat/completions",
      "/llm/anthropic/v1/messages",
    ]);
    expect(h.fake.requests[1]?.credential?.source).toBe("x-api-key");
  });

  it("fails over on a 503 cooldown and a stream that breaks before its first token", async () => {
    h = await startHarness({ fallback_models: ["anthropic/claude-haiku-4-5", "gemini/gemini-2.5-flash"] });
    h.fake.script("openai", { error: { status: 503, headers: { "retry-after": "60" } } });
    h.fake.script("anthropic", { fault: "drop_mid_stream", afterChunks: 0 });
    h.fake.script("gemini", { text: "gemini answers" });
    const task = await runTask(h, "hello");
    expect(task).toMatchObject({ status: "completed", reply: "gemini answers" });
    expect(h.fake.requests.at(-1)?.path).toBe(
      "/llm/gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent",
    );
  });

  it("reports a 400 as an error without trying the fallback", async () => {
    h = await startHarness({ fallback_models: ["anthropic/claude-haiku-4-5"] });
    h.fake.script("openai", { error: { status: 400 } });
    const task = await runTask(h, "hello");
    expect(task.status).toBe("failed");
    expect((task.error as { code: string }).code).toBe("OL_ERR_AGENT_MODEL_FAILED");
    expect(h.fake.requests).toHaveLength(1);
  });
});
