import { describe, expect, test } from "vitest";
import {
  JsonShapeError,
  pickMembers,
  topLevelMembers,
} from "../../../services/egress-proxy/http/json-members.js";

/** issue 15: the LLM door finds model/stream/max_tokens without parsing the prompt; it must agree with JSON.parse. */
const read = (text: string, wanted: string[]) => {
  const buf = Buffer.from(text);
  return pickMembers(buf, topLevelMembers(buf), new Set(wanted));
};

describe("top-level members without parsing the values", () => {
  test.each([
    ['{"model":"m","stream":true,"max_tokens":5}'],
    [' \n{ "a" : [1, {"b": "}]\\"{["}] , "model" : "x\\\\" , "n":2 }\n'],
    ['{"messages":[{"role":"user","content":"é ✓ \\u0022 \\\\\\" }"}],"model":"gpt"}'],
    ['{"e":{},"f":[],"g":null,"h":-1.5e3,"model":"z"}'],
    ["{}"],
  ])("reads what JSON.parse reads: %s", (text) => {
    const full = JSON.parse(text) as Record<string, unknown>;
    const keys = Object.keys(full);
    expect(read(text, keys)).toEqual(full);
    expect(Object.keys(read(text, []))).toEqual(keys);
  });
  test("members not asked for are present but never parsed (a broken prompt is the provider's to refuse)", () => {
    expect(read('{"messages":[1 2],"model":"m"}', ["model"])).toEqual({ messages: undefined, model: "m" });
  });
  test("__proto__ stays a plain member", () => {
    const out = read('{"__proto__":{"polluted":true},"model":"m"}', ["__proto__", "model"]);
    expect(Object.hasOwn(out, "__proto__")).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((out as { polluted?: boolean }).polluted).toBeUndefined();
  });
  test.each([
    ["[1]", "expected a JSON object"],
    ['{"model":"a","model":"b"}', "duplicate member"],
    ['{"a":[}],"model":"m"}', "mismatched bracket"],
    ['{"a":"unterminated}', "unterminated string"],
    ['{"a":[1,2}', "mismatched bracket"],
    ['{"a":1} {"b":2}', "unexpected data"],
    ['{"a" 1}', "expected ':'"],
    ['{"a":1 "b":2}', "expected ',' or '}'"],
    ['{"a":}', "missing value"],
    ['{"a":[[[', "unterminated value"],
  ])("refuses %s (%s)", (text, message) => {
    expect(() => topLevelMembers(Buffer.from(text))).toThrow(JsonShapeError);
    expect(() => topLevelMembers(Buffer.from(text))).toThrow(message);
  });
});
