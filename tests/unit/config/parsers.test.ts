import { describe, expect, test } from "vitest";
import { dottedPath, locate, parseYamlText, pathAtOffset } from "../../../generator/config/document.js";
import { parseEnvText } from "../../../generator/config/env-file.js";
import { jsonSyntaxError } from "../../../generator/config/json-strict.js";
import { bytePosition, invalidUtf8Offset } from "../../../generator/config/read.js";
import { closest, editDistance } from "../../../generator/config/suggest.js";

describe("jsonSyntaxError", () => {
  test.each([
    ['{"a": 1}', undefined],
    ['[1, 2, {"b": [true, false, null, -1.5e3, "x\\u00e9\\n"]}]', undefined],
    ['{"a": 1,}', { offset: 7, message: "trailing comma before }" }],
    ["[1, 2,]", { offset: 5, message: "trailing comma before ]" }],
    ["{'a': 1}", { offset: 1, message: 'expected a double-quoted key, got "\'"' }],
    ['{"a": 01}', { offset: 7, message: "invalid number" }],
    ['{"a": "x\ny"}', { offset: 8, message: "unterminated string" }],
    ['{"a": 1} x', { offset: 9, message: 'unexpected "x" after the JSON value' }],
    ['{"a": 1, "a": 2}', { offset: 9, message: 'duplicate key "a"' }],
    ['{"a": NaN}', { offset: 6, message: 'expected a value, got "N"' }],
    ['{"a": [1', { offset: 8, message: 'expected "," or "]", got end of file' }],
  ])("%j", (text, expected) => {
    expect(jsonSyntaxError(text)).toEqual(expected);
  });

  test("refuses nesting deeper than 128 levels without overflowing the stack", () => {
    expect(jsonSyntaxError(`${"[".repeat(100_000)}${"]".repeat(100_000)}`)?.message).toContain(
      "nesting deeper than 128",
    );
  });
});

describe("did you mean", () => {
  test("counts a transposition as one edit", () => {
    expect(editDistance("modle", "model")).toBe(1);
    expect(editDistance("", "abc")).toBe(3);
  });
  test.each([
    ["modle", ["model", "role", "image"], "model"],
    ["budjet", ["budget", "browser_backend"], "budget"],
    ["can_mesage", ["can_message", "can_publish"], "can_message"],
    ["memory", ["memory_limit", "cpu_limit"], "memory_limit"],
    ["zzzzzz", ["model", "role"], undefined],
    ["ab", ["xy"], undefined],
  ])("%s → %s", (word, candidates, expected) => {
    expect(closest(word, candidates)).toBe(expected);
  });
});

describe("YAML positions", () => {
  const text = "x-base: &base\n  cpu: 1\nagents:\n  a:\n    <<: *base\n    role: r\n  b: []\n";
  const parsed = parseYamlText("f.yaml", text);

  test("locate finds values, keys, values behind merge keys, and the nearest ancestor of a missing path", () => {
    expect(locate(parsed, ["agents", "a", "role"])).toEqual({ line: 6, col: 11, exact: true });
    expect(locate(parsed, ["agents", "a", "role"], "key")).toEqual({ line: 6, col: 5, exact: true });
    expect(locate(parsed, ["agents", "a", "cpu"])).toEqual({ line: 2, col: 8, exact: true });
    expect(locate(parsed, ["agents", "b", 3])).toEqual({ line: 7, col: 6, exact: false });
    expect(locate(parsed, ["agents", "zz", "role"])).toEqual({ line: 4, col: 3, exact: false });
  });

  test("pathAtOffset names the entry at a character offset", () => {
    expect(pathAtOffset(parsed, text.indexOf("role"))).toBe("agents.a.role");
    expect(pathAtOffset(parsed, text.indexOf(" r\n") + 1)).toBe("agents.a.role");
    expect(dottedPath(["steps", 0, "id"])).toBe("steps.0.id");
  });
});

describe("bytes", () => {
  test("invalid UTF-8 is found at its byte offset; overlong and surrogate forms count as invalid", () => {
    expect(invalidUtf8Offset(Buffer.from("héllo ✓ 😀"))).toBe(-1);
    expect(invalidUtf8Offset(Uint8Array.from([0x61, 0xc0, 0x80]))).toBe(1);
    expect(invalidUtf8Offset(Uint8Array.from([0xed, 0xa0, 0x80]))).toBe(0);
    expect(invalidUtf8Offset(Uint8Array.from([0x61, 0xe2, 0x9c]))).toBe(1);
    expect(bytePosition(Buffer.from("ab\ncé\nx"), Buffer.from("ab\ncé\n").length)).toEqual({
      line: 3,
      col: 1,
    });
    expect(bytePosition(Buffer.from("ab\ncéx"), Buffer.from("ab\ncé").length)).toEqual({ line: 2, col: 3 });
  });
});

describe(".env syntax", () => {
  test("reads KEY=value, export, quotes and comments with positions", () => {
    const { entries, issues } = parseEnvText(
      ".env",
      '# c\nA=1\nexport B = two words # note\nC="x # y"\nD=\'raw\\n\'\nE="a\\nb"\n',
    );
    expect(issues).toEqual([]);
    expect([...entries.values()].map((e) => [e.key, e.value, e.line, e.col])).toEqual([
      ["A", "1", 2, 1],
      ["B", "two words", 3, 8],
      ["C", "x # y", 4, 1],
      ["D", "raw\\n", 5, 1],
      ["E", "a\nb", 6, 1],
    ]);
  });

  test("reports lines without =, unterminated quotes and duplicate keys, never echoing values", () => {
    const { issues } = parseEnvText(".env", 'just words\nA="secret\nB=1\nB=2\n');
    expect(issues.map((i) => `${i.line}:${i.col} ${i.path}: ${i.message}`)).toEqual([
      "1:1 : expected KEY=value",
      "2:3 A: unterminated double quote",
      "4:1 B: duplicate key (first set on line 3)",
    ]);
  });
});
