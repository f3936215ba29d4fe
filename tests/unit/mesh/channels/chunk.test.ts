import { describe, expect, it } from "vitest";
import { splitMessage } from "../../../../services/mesh/modules/channels/chunk.js";

const fences = (s: string) => (s.match(/^```/gm) ?? []).length;

describe("splitMessage", () => {
  it("keeps a short text whole and drops an empty one", () => {
    expect(splitMessage("hello", 4096)).toEqual(["hello"]);
    expect(splitMessage("  \n ", 4096)).toEqual([]);
  });

  it("prefers paragraph, then line, then word breaks", () => {
    const para = `${"a".repeat(60)}\n\n${"b".repeat(60)}`;
    expect(splitMessage(para, 100)).toEqual([`${"a".repeat(60)}\n\n`, "b".repeat(60)]);
    const words = `${"w ".repeat(60)}`;
    for (const c of splitMessage(words, 50))
      expect(c.endsWith(" ") || c === splitMessage(words, 50).at(-1)).toBe(true);
  });

  it("never cuts inside a surrogate pair, even on a hard cut", () => {
    const text = "😀".repeat(100); // 200 UTF-16 units, no break points
    const chunks = splitMessage(text, 51);
    for (const c of chunks) {
      expect(c.length).toBeLessThanOrEqual(51);
      expect(c.length % 2).toBe(0);
    }
    expect(chunks.join("")).toBe(text);
  });

  it("closes a code fence at a cut and reopens it with its language in the next chunk", () => {
    const code = Array.from({ length: 40 }, (_, i) => `const x${i} = ${i};`).join("\n");
    const text = `Here:\n\`\`\`ts\n${code}\n\`\`\`\nDone.`;
    const chunks = splitMessage(text, 200);
    expect(chunks.length).toBeGreaterThan(2);
    for (const c of chunks) {
      expect(c.length).toBeLessThanOrEqual(200);
      expect(fences(c) % 2).toBe(0);
    }
    expect(chunks[1]!.startsWith("```ts\n")).toBe(true);
    const stripped = chunks.map((c, i) => (i > 0 ? c.replace(/^```ts\n/, "") : c).replace(/\n```$/, ""));
    expect(stripped.join("").replace(/\n/g, "")).toBe(text.replace(/\n/g, ""));
  });
});
