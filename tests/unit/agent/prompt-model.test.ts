import { describe, expect, it } from "vitest";
import { assembleSystemPrompt, LEARNINGS_MAX_CHARS } from "../../../services/agent/core/prompt.js";
import {
  modelResolver,
  parseModelId,
  proxyBaseUrl,
  resolveModel,
} from "../../../services/agent/model/resolve.js";

describe("system prompt assembly", () => {
  const parts = {
    agentId: "writer",
    role: "writes things",
    project: "PROJECT-TEXT",
    systemPrompt: "SYSTEM-TEXT",
    workspace: { agents: "AGENTS-TEXT", soul: "SOUL-TEXT", user: "USER-TEXT", memory: "MEMORY-TEXT" },
    learnings: { errors: "ERRORS-TEXT", corrections: "CORRECTIONS-TEXT" },
    tools: [
      { name: "write_file", description: "w" },
      { name: "exec", description: "e" },
    ],
  };
  it("orders PROJECT.md, system prompt, AGENTS, SOUL, USER, MEMORY, learnings, sorted tool list", () => {
    const text = assembleSystemPrompt(parts);
    const order = [
      "PROJECT-TEXT",
      "SYSTEM-TEXT",
      "AGENTS-TEXT",
      "SOUL-TEXT",
      "USER-TEXT",
      "MEMORY-TEXT",
      "ERRORS-TEXT",
      "CORRECTIONS-TEXT",
      "- exec",
      "- write_file",
    ];
    const positions = order.map((s) => text.indexOf(s));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });
  it("is byte-identical for the same inputs and skips missing parts", () => {
    expect(assembleSystemPrompt(parts)).toBe(
      assembleSystemPrompt({ ...parts, tools: [...parts.tools].reverse() }),
    );
    const bare = assembleSystemPrompt({ ...parts, project: undefined, workspace: {}, learnings: {} });
    expect(bare).not.toContain("PROJECT.md");
    expect(bare).not.toContain("SOUL.md");
  });
  it("keeps only the most recent part of long learnings", () => {
    const errors = `OLD${"e".repeat(LEARNINGS_MAX_CHARS * 2)}NEW`;
    const text = assembleSystemPrompt({ ...parts, learnings: { errors } });
    expect(text).toContain("NEW");
    expect(text).not.toContain("OLD");
  });
});

describe("model ids", () => {
  it("splits provider/model at the first slash", () => {
    expect(parseModelId("openai/gpt-4o-mini")).toEqual({ provider: "openai", model: "gpt-4o-mini" });
    expect(parseModelId("openrouter/anthropic/claude-3")).toEqual({
      provider: "openrouter",
      model: "anthropic/claude-3",
    });
  });
  it("refuses bare ids and bad provider names", () => {
    expect(() => parseModelId("gpt-4o")).toThrow(/provider\/model/);
    expect(() => parseModelId("openai/")).toThrow(/provider\/model/);
    expect(() => parseModelId("Open AI/x")).toThrow(/invalid provider/);
  });
  it("builds proxy base URLs in the form each SDK appends its path to", () => {
    expect(proxyBaseUrl("http://egress-proxy:8480/", "openai", "openai")).toBe(
      "http://egress-proxy:8480/llm/openai/v1",
    );
    expect(proxyBaseUrl("http://p:1", "anthropic", "anthropic")).toBe("http://p:1/llm/anthropic/v1");
    expect(proxyBaseUrl("http://p:1", "gemini", "gemini")).toBe("http://p:1/llm/gemini/v1beta");
    expect(proxyBaseUrl("http://p:1", "groq", "openai-compatible")).toBe("http://p:1/llm/groq/v1");
  });
  it("resolves only providers named in the manifest", async () => {
    const access = { proxyUrl: "http://p:1", agentToken: "t", providers: { openai: "openai" as const } };
    expect(await resolveModel("openai/gpt-4o", access)).toBeTruthy();
    await expect(resolveModel("anthropic/claude", access)).rejects.toThrow(/not in the manifest/);
  });
  it("shares one model object per id and keeps a bad id an error", async () => {
    const access = { proxyUrl: "http://p:1", agentToken: "t", providers: { openai: "openai" as const } };
    const resolve = modelResolver(access);
    const a = await resolve("openai/gpt-4o");
    expect(await resolve("openai/gpt-4o")).toBe(a);
    expect(await resolve("openai/gpt-4o-mini")).not.toBe(a);
    await expect(resolve("groq/llama")).rejects.toThrow(/not in the manifest/);
    await expect(resolve("groq/llama")).rejects.toThrow(/not in the manifest/);
  });
});
