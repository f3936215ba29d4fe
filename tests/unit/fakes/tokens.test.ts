import { describe, expect, it } from "vitest";
import { buildReply, countTokens, splitFragments, splitText } from "../../fakes/llm-provider/tokens.js";

const prompt = { text: "What is two plus two?", lastUser: "What is two plus two?" };

describe("token arithmetic", () => {
  it("counts one token per started group of four characters", () => {
    expect([countTokens(""), countTokens("a"), countTokens("abcd"), countTokens("abcde")]).toEqual([
      0, 1, 1, 2,
    ]);
  });

  it.each(["", "one", "  leading and trailing  ", "multi\nline\ttext  with   gaps", "x".repeat(50)])(
    "splitText(%j) joins back to the input",
    (text) => {
      expect(splitText(text).join("")).toBe(text);
    },
  );

  it("splits tool arguments into at most three fragments that join back", () => {
    const json = JSON.stringify({ city: "Paris", unit: "celsius" });
    const parts = splitFragments(json);
    expect(parts.length).toBe(3);
    expect(parts.join("")).toBe(json);
    expect(splitFragments("")).toEqual([""]);
  });
});

describe("buildReply", () => {
  it("echoes the last user message by default, with usage from the prompt and reply", () => {
    const reply = buildReply(undefined, prompt, "call_x");
    expect(reply.text).toBe("fake reply to: What is two plus two?");
    expect(reply.usage).toEqual({
      input: countTokens(prompt.text),
      output: countTokens(reply.text),
      cached: 0,
      cacheWrite: 0,
    });
    expect(reply.finish).toBe("stop");
  });

  it("never reports 0 input tokens", () => {
    expect(buildReply({ text: "x" }, { text: "", lastUser: "" }, "c").usage.input).toBe(1);
  });

  it("scripted usage wins over counting", () => {
    const reply = buildReply({ text: "four", usage: { input: 500, cached: 100 } }, prompt, "c");
    expect(reply.usage).toEqual({ input: 500, output: 1, cached: 100, cacheWrite: 0 });
  });

  it("numbers tool calls and counts their names and arguments as output", () => {
    const reply = buildReply({ toolCalls: [{ name: "add", args: { a: 2, b: 2 } }] }, prompt, "call_fake_3");
    expect(reply.toolCalls).toEqual([{ name: "add", args: { a: 2, b: 2 }, id: "call_fake_3_0" }]);
    expect(reply.finish).toBe("tool_calls");
    expect(reply.usage.output).toBe(countTokens('add{"a":2,"b":2}'));
  });

  it("cuts text at the output cap unless usage is scripted", () => {
    const long = { text: "abcd".repeat(10) };
    const cut = buildReply(long, { ...prompt, maxTokens: 3 }, "c");
    expect(cut).toMatchObject({ text: "abcdabcdabcd", finish: "length", usage: { output: 3 } });
    const scripted = buildReply({ ...long, usage: { output: 10 } }, { ...prompt, maxTokens: 3 }, "c");
    expect(scripted.finish).toBe("stop");
  });
});
