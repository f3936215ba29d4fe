import { describe, expect, it } from "vitest";
import { contextOverflowMessage } from "../../../services/egress-proxy/http/provider-errors.js";
import { errorBody } from "../../fakes/llm-provider/errors.js";

describe("a provider's context-overflow answer, in its own wire format", () => {
  it.each([
    [
      "openai",
      {
        error: {
          message:
            "This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens.",
          type: "invalid_request_error",
          code: "context_length_exceeded",
        },
      },
    ],
    ["openai", { error: { message: "context_length_exceeded", code: "context_length_exceeded" } }],
    // vLLM and other OpenAI-compatible servers: no code, the wording only.
    [
      "openai-compatible",
      { error: { message: "This model's maximum context length is 4096 tokens.", code: null } },
    ],
    ["anthropic", errorBody("anthropic", 400, "r", "prompt is too long: 210000 tokens > 200000 maximum")],
    [
      "gemini",
      errorBody(
        "gemini",
        400,
        "r",
        "The input token count (1200000) exceeds the maximum number of tokens allowed",
      ),
    ],
  ] as const)("%s: %j is an overflow", (api, body) => {
    expect(contextOverflowMessage(api, body)).toEqual(expect.any(String));
  });

  it.each([
    ["openai", errorBody("openai", 400, "r")],
    ["openai", errorBody("openai", 429, "r")],
    ["openai", { error: { message: "maximum context length", code: "invalid_api_key" } }],
    ["anthropic", errorBody("anthropic", 400, "r")],
    ["anthropic", errorBody("anthropic", 413, "r")],
    // Anthropic's wording in another provider's body shape is not Anthropic's answer.
    ["gemini", { error: { message: "prompt is too long", status: "INVALID_ARGUMENT" } }],
    ["gemini", errorBody("gemini", 400, "r")],
    ["anthropic", "not an object"],
    ["openai", undefined],
  ] as const)("%s: %j is not", (api, body) => {
    expect(contextOverflowMessage(api, body)).toBeUndefined();
  });
});
