import type { ModelMessage } from "ai";
import { describe, expect, it } from "vitest";
import { AgentErrors } from "../../../services/agent/errors.js";
import {
  isContextOverflow,
  planContext,
  splitForCompaction,
  warningLine,
} from "../../../services/agent/memory/context/plan.js";
import { parseExtraction, renderTranscript } from "../../../services/agent/memory/context/prompts.js";
import {
  contextWindow,
  estimateMessages,
  estimateTokens,
  modelFamily,
} from "../../../services/agent/memory/context/tokens.js";

const plan = (used: number, flushedAt = -1, covered = 0) =>
  planContext({ usedTokens: used, window: 10_000, flushedAt, covered });

describe("context thresholds", () => {
  it("does nothing below 60 %, flushes at 60 %, compacts at 70 %, warns at 80 %", () => {
    expect(plan(5_999)).toMatchObject({ action: "none", warn: false });
    expect(plan(6_000)).toMatchObject({ action: "flush", warn: false });
    expect(plan(7_000)).toMatchObject({ action: "compact", warn: false });
    expect(plan(8_000)).toMatchObject({ action: "compact", warn: true });
  });

  it("flushes once per compaction cycle", () => {
    expect(plan(6_500, 12, 0).action).toBe("none");
    expect(plan(6_500, 12, 12).action).toBe("flush");
  });

  it("words the warning with the percentage", () => {
    expect(warningLine(0.834)).toContain("83%");
  });
});

describe("token estimates", () => {
  it("uses a family ratio and a per-message overhead", () => {
    expect(modelFamily("openai/gpt-4o-mini")).toBe("openai");
    expect(modelFamily("anthropic/claude-sonnet-4")).toBe("anthropic");
    expect(modelFamily("gemini/gemini-2.5-flash")).toBe("gemini");
    expect(modelFamily("local/llama3")).toBe("other");
    expect(estimateTokens("x".repeat(400), "openai")).toBe(100);
    expect(estimateTokens("x".repeat(350), "anthropic")).toBe(100);
    expect(estimateMessages([{ role: "user", content: "x".repeat(40) }], "openai")).toBe(14);
  });

  it("knows the windows of common models", () => {
    expect(contextWindow("openai/gpt-4o-mini")).toBe(128_000);
    expect(contextWindow("anthropic/claude-3-5-haiku")).toBe(200_000);
    expect(contextWindow("openai/gpt-4.1")).toBe(1_047_576);
    expect(contextWindow("somebody/unknown")).toBe(128_000);
  });
});

const u = (t: string): ModelMessage => ({ role: "user", content: t });
const a = (t: string): ModelMessage => ({ role: "assistant", content: t });

describe("compaction split", () => {
  it("keeps the last 4 messages when they start at a user message", () => {
    const msgs = [u("1"), a("2"), u("3"), a("4"), u("5"), a("6")];
    const { dropped, kept } = splitForCompaction(msgs);
    expect(dropped).toEqual(msgs.slice(0, 2));
    expect(kept).toEqual(msgs.slice(2));
  });

  it("never separates a tool result from its call", () => {
    const call: ModelMessage = {
      role: "assistant",
      content: [{ type: "tool-call", toolCallId: "c1", toolName: "exec", input: {} }],
    };
    const result: ModelMessage = {
      role: "tool",
      content: [
        { type: "tool-result", toolCallId: "c1", toolName: "exec", output: { type: "text", value: "ok" } },
      ],
    };
    const msgs = [u("1"), a("2"), u("3"), call, result, a("done")];
    const { kept } = splitForCompaction(msgs);
    expect(kept[0]).toEqual(u("3"));
    expect(kept).toContain(call);
    expect(kept).toContain(result);
  });

  it("drops nothing when there is no earlier user boundary", () => {
    expect(splitForCompaction([u("1"), a("2"), a("3")]).dropped).toEqual([]);
  });
});

describe("provider overflow errors", () => {
  // The proxy recognises each provider's wording (tests/unit/egress-proxy/provider-errors.test.ts);
  // the agent keys on the code alone.
  it("recognises the agent's context-overflow code", () => {
    expect(isContextOverflow(AgentErrors.contextOverflow("openai/gpt-4o-mini", "too long"))).toBe(true);
  });

  it("ignores other failures, and never reads the message", () => {
    expect(isContextOverflow({ code: "OL_ERR_AGENT_MODEL_FAILED", message: "rate limited" })).toBe(false);
    expect(isContextOverflow({ code: "OL_ERR_AGENT_MODEL_FAILED", message: "context_length_exceeded" })).toBe(
      false,
    );
    expect(isContextOverflow(undefined)).toBe(false);
  });
});

describe("extraction parsing", () => {
  it("reads fenced JSON and skips invalid entries", () => {
    const facts = parseExtraction(
      'Sure:\n```json\n{"facts":[{"text":"Cat is Whiskerino","key":"cat name"},{"nope":1},{"text":"x","importance":7}]}\n```',
    );
    expect(facts).toEqual([{ text: "Cat is Whiskerino", key: "cat name" }]);
    expect(parseExtraction("no json here")).toEqual([]);
    expect(parseExtraction('{"facts": "wrong"}')).toEqual([]);
  });

  it("renders a transcript with head and tail when too long", () => {
    const text = renderTranscript([u("a".repeat(100)), a("b".repeat(100))], 60);
    expect(text).toContain("characters omitted");
    expect(text.startsWith("user: a")).toBe(true);
    expect(text.endsWith("b")).toBe(true);
  });
});
