import { describe, expect, it } from "vitest";
import {
  contentTokens,
  ftsQuery,
  jaccard,
  MAX_FACT_BYTES,
  normalizeText,
  validateCategory,
  validateFactText,
  validateKey,
  validateQuery,
} from "../../../services/agent/memory/text.js";

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
};

describe("memory text limits", () => {
  it("refuses a 1 MB fact with a precise error naming size and limit", () => {
    const big = "x".repeat(1024 * 1024);
    expect(() => validateFactText(big)).toThrow(
      `fact text is 1048576 bytes; the limit is ${MAX_FACT_BYTES} bytes`,
    );
    expect(codeOf(() => validateFactText(big))).toBe("OL_ERR_MEMORY_TOO_LARGE");
  });

  it("counts bytes, not characters (multi-byte text)", () => {
    const emoji = "😺".repeat(MAX_FACT_BYTES / 4 + 1);
    expect(codeOf(() => validateFactText(emoji))).toBe("OL_ERR_MEMORY_TOO_LARGE");
  });

  it("refuses NUL bytes in text, query, key and category", () => {
    expect(codeOf(() => validateFactText("a\u0000b"))).toBe("OL_ERR_MEMORY_NUL_BYTE");
    expect(codeOf(() => validateQuery("cat\u0000"))).toBe("OL_ERR_MEMORY_NUL_BYTE");
    expect(codeOf(() => validateKey("k\u0000"))).toBe("OL_ERR_MEMORY_NUL_BYTE");
    expect(codeOf(() => validateCategory("c\u0000"))).toBe("OL_ERR_MEMORY_NUL_BYTE");
  });

  it("refuses empty facts and malformed categories and keys", () => {
    expect(codeOf(() => validateFactText("   \n"))).toBe("OL_ERR_MEMORY_EMPTY");
    expect(codeOf(() => validateCategory("9lives"))).toBe("OL_ERR_MEMORY_BAD_CATEGORY");
    expect(codeOf(() => validateKey("x".repeat(65)))).toBe("OL_ERR_MEMORY_BAD_KEY");
    expect(validateCategory(" Preference ")).toBe("preference");
    expect(validateKey("User  Cat Name")).toBe("user cat name");
  });
});

describe("FTS query building", () => {
  it.each([
    ['what\'s my cat: "name"? OR (', '"cat" OR "name"'],
    ["whisk* NEAR(cat dog) -tom", '"whisk" OR "near" OR "cat" OR "dog" OR "tom"'],
    ['"unbalanced', '"unbalanced"'],
    ["col:value AND x", '"col" OR "value"'],
  ])("turns %j into quoted plain tokens", (input, expected) => {
    expect(ftsQuery(input)).toBe(expected);
  });

  it("returns undefined when there are no words, and keeps stop words when nothing else is left", () => {
    expect(ftsQuery('"*" :: ( - )')).toBeUndefined();
    expect(ftsQuery("what is it")).toBe('"what" OR "is" OR "it"');
  });

  it("normalises text for exact-duplicate detection", () => {
    expect(normalizeText("  My cat's   name is Whiskerino.  ")).toBe("my cat's name is whiskerino");
    expect(contentTokens("My cat's name is Whiskerino")).toEqual(["cat", "name", "whiskerino"]);
    expect(jaccard(["a", "b", "c"], ["a", "b", "d"])).toBeCloseTo(0.5);
  });
});
