import { describe, expect, test } from "vitest";
import { agentToken, operatorToken } from "../../../services/common/tokens.js";
import { presentedProxyToken, presentedToken, TokenAuthority } from "../../../services/egress-proxy/auth.js";
import { resolveConfig } from "../../../services/egress-proxy/config.js";

const config = (edit: (c: Record<string, unknown>) => void = () => {}) => {
  const c: Record<string, unknown> = {
    version: 1,
    agents: {
      a: {
        models: ["openai/gpt-4o"],
        allowed_hosts: ["*.example.com"],
        allowed_apis: [],
        budget: { daily_usd: 1, monthly_usd: 2 },
        max_tokens: 10,
        subnet: "10.0.0.0/28",
      },
    },
    providers: {},
    apis: {},
    pricing: {},
    allow_private_cidrs: [],
  };
  edit(c);
  return c;
};

describe("tokens", () => {
  test("every SDK slot is read: bearer, x-api-key, x-goog-api-key, ?key=", () => {
    expect(presentedToken({ authorization: "Bearer t1" }, new URLSearchParams())).toBe("t1");
    expect(presentedToken({ "x-api-key": "t2" }, new URLSearchParams())).toBe("t2");
    expect(presentedToken({ "x-goog-api-key": "t3" }, new URLSearchParams())).toBe("t3");
    expect(presentedToken({}, new URLSearchParams("key=t4"))).toBe("t4");
    expect(presentedToken({ authorization: "Basic abc" }, new URLSearchParams())).toBeUndefined();
  });
  test("proxy credentials: Bearer or Basic with the token as password", () => {
    expect(presentedProxyToken({ "proxy-authorization": "Bearer tok" })).toBe("tok");
    expect(
      presentedProxyToken({ "proxy-authorization": `Basic ${Buffer.from("agent:tok").toString("base64")}` }),
    ).toBe("tok");
  });
  test("the authority maps derived tokens to agents and knows the operator", () => {
    const auth = new TokenAuthority("mk", [
      { id: "a", tokenGeneration: 0 },
      { id: "b", tokenGeneration: 0 },
    ]);
    expect(auth.agentFor(agentToken("mk", "b"))).toBe("b");
    expect(auth.agentFor(agentToken("other", "b"))).toBeUndefined();
    expect(auth.agentFor(operatorToken("mk"))).toBeUndefined();
    expect(auth.isOperator(operatorToken("mk"))).toBe(true);
    expect(auth.isOperator(agentToken("mk", "a"))).toBe(false);
  });
});

describe("config", () => {
  test("built-in providers are defaults that config overrides", () => {
    const resolved = resolveConfig(
      config((c) => (c.providers = { openai: { api: "openai", base_url: "http://127.0.0.1:9/x/" } })),
    );
    expect(resolved.providers.get("openai")).toMatchObject({ origin: "http://127.0.0.1:9", basePath: "/x" });
    expect(resolved.providers.get("anthropic")?.origin).toBe("https://api.anthropic.com");
  });
  test.each([
    [
      "a model with an unknown provider",
      (c: Record<string, unknown>) =>
        (((c.agents as Record<string, Record<string, unknown>>).a as Record<string, unknown>).models = [
          "nope/x",
        ]),
      /unknown|provider/,
    ],
    [
      "an api without header or query",
      (c: Record<string, unknown>) => (c.apis = { s: { base_url: "https://s.example", credential: "K" } }),
      /needs a credential and a header, a query parameter or a path_prefix/,
    ],
    [
      "a scheme without a header",
      (c: Record<string, unknown>) =>
        (c.apis = { s: { base_url: "https://s.example", credential: "K", query: "k", scheme: "Bearer" } }),
      /scheme but no header/,
    ],
    [
      "an agent that takes the mesh's identity",
      (c: Record<string, unknown>) => {
        const agents = c.agents as Record<string, unknown>;
        agents._mesh = Object.values(agents)[0];
      },
      /_mesh is the mesh's/,
    ],
    ["a bad CIDR", (c: Record<string, unknown>) => (c.allow_private_cidrs = ["10.0.0.0/99"]), /CIDR/],
    ["an unknown field", (c: Record<string, unknown>) => (c.extra = 1), /extra|Unrecognized/i],
  ])("rejects %s with OL_ERR_PROXY_CONFIG", (_name, edit, message) => {
    expect(() => resolveConfig(config(edit))).toThrow(message);
    try {
      resolveConfig(config(edit));
    } catch (error) {
      expect((error as { code: string }).code).toBe("OL_ERR_PROXY_CONFIG");
    }
  });
});
