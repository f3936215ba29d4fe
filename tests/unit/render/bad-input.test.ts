import { describe, expect, it } from "vitest";
import { RenderErrors } from "../../../generator/render/errors.js";
import { compile, normalize } from "../../../generator/render/index.js";
import { isOlError } from "../../../services/common/errors.js";
import { type FleetInput, makeFleet } from "../../fixtures/render/fleet.js";

type Agents = Record<string, Record<string, unknown>>;
const fleetWith = (agents: Agents, extra: Partial<FleetInput> = {}): FleetInput => ({
  agents: { agents },
  ...extra,
});
const many = (n: number): Agents => Object.fromEntries(Array.from({ length: n }, (_, i) => [`a${i}`, {}]));

interface Case {
  name: string;
  input: FleetInput;
  code: string;
  message: RegExp;
}

const CASES: Case[] = [
  {
    name: "pool smaller than /26",
    input: fleetWith(many(1), { mesh: { egress: { subnet_pool: "10.1.0.0/29" } } }),
    code: RenderErrors.poolInvalid.code,
    message: /too small: it must be \/26 or larger/,
  },
  {
    name: "pool too small for the fleet",
    input: fleetWith(many(4), { mesh: { egress: { subnet_pool: "10.1.0.0/26" } } }),
    code: RenderErrors.poolExhausted.code,
    message: /10\.1\.0\.0\/26 holds 1 agent networks .* 4 agents/,
  },
  {
    name: "pool with host bits set",
    input: fleetWith(many(1), { mesh: { egress: { subnet_pool: "10.231.5.0/16" } } }),
    code: RenderErrors.poolInvalid.code,
    message: /host bits set \(did you mean 10\.231\.0\.0\/16\?\)/,
  },
  {
    name: "agent id mesh",
    input: fleetWith({ mesh: {} }),
    code: RenderErrors.nameCollision.code,
    message: /agent id "mesh" is reserved/,
  },
  {
    name: "agent id egress-proxy",
    input: fleetWith({ "egress-proxy": {} }),
    code: RenderErrors.nameCollision.code,
    message: /"egress-proxy" is reserved/,
  },
  {
    name: "agent id operator",
    input: fleetWith({ operator: {} }),
    code: RenderErrors.nameCollision.code,
    message: /"operator" is reserved/,
  },
  {
    name: "agent id control (a network name)",
    input: fleetWith({ control: {} }),
    code: RenderErrors.nameCollision.code,
    message: /"control" is reserved/,
  },
  {
    name: "unknown provider",
    input: fleetWith({ a: { model: "mistral/large" } }),
    code: RenderErrors.unknownProvider.code,
    message: /provider "mistral" \(used by agent a\).*known: anthropic, gemini, openai/,
  },
  {
    name: "openai-compatible without base_url",
    input: fleetWith(
      { a: { model: "local/llama3" } },
      { mesh: { providers: { local: { api: "openai-compatible" } } } },
    ),
    code: RenderErrors.unknownProvider.code,
    message: /needs base_url in config\/mesh.yaml providers.local/,
  },
  {
    name: "allowed api not defined",
    input: fleetWith({ a: {} }, { permissions: { a: { allowed_apis: ["brave"] } } }),
    code: RenderErrors.unknownApi.code,
    message: /agent a is allowed api "brave" but config\/mesh.yaml defines no apis.brave/,
  },
  {
    name: ".env absent",
    input: fleetWith({ a: {} }, { env: null }),
    code: RenderErrors.envMissing.code,
    message: /render needs .env with OPENLEGION_MASTER_KEY/,
  },
  {
    name: ".env without the OpenAI key",
    input: fleetWith({ a: {} }, { env: { OPENLEGION_CRED_OPENAI_API_KEY: "" } }),
    code: RenderErrors.secretMissing.code,
    message: /OPENLEGION_CRED_OPENAI_API_KEY \(needed by provider openai\)/,
  },
  {
    name: "fallback provider key missing",
    input: fleetWith({ a: { fallback_models: ["anthropic/claude-haiku-4-5"] } }),
    code: RenderErrors.secretMissing.code,
    message: /OPENLEGION_CRED_ANTHROPIC_API_KEY \(needed by provider anthropic\)/,
  },
  {
    name: "gemini key missing",
    input: fleetWith({ a: { model: "gemini/gemini-2.5-flash" } }),
    code: RenderErrors.secretMissing.code,
    message: /OPENLEGION_CRED_GEMINI_API_KEY/,
  },
  {
    name: "custom provider credential missing",
    input: fleetWith(
      { a: { model: "groq/llama" } },
      {
        mesh: {
          providers: {
            groq: {
              api: "openai-compatible",
              base_url: "https://api.groq.com/openai",
              credential: "GROQ_KEY",
            },
          },
        },
      },
    ),
    code: RenderErrors.secretMissing.code,
    message: /OPENLEGION_CRED_GROQ_KEY \(needed by provider groq\)/,
  },
  {
    name: "api credential missing",
    input: fleetWith(
      { a: {} },
      {
        permissions: { a: { allowed_apis: ["brave"] } },
        mesh: {
          apis: {
            brave: { base_url: "https://api.search.brave.com", credential: "BRAVE_KEY", header: "X-Token" },
          },
        },
      },
    ),
    code: RenderErrors.secretMissing.code,
    message: /OPENLEGION_CRED_BRAVE_KEY \(needed by api brave\)/,
  },
  {
    name: "telegram token missing",
    input: fleetWith({ a: {} }, { mesh: { channels: { telegram: {} } } }),
    code: RenderErrors.secretMissing.code,
    message: /OPENLEGION_CRED_TELEGRAM_BOT_TOKEN \(needed by channel telegram\)/,
  },
  {
    name: "slack tokens missing, all named at once",
    input: fleetWith({ a: {} }, { mesh: { channels: { slack: {} } } }),
    code: RenderErrors.secretMissing.code,
    message: /SLACK_APP_TOKEN.*; OPENLEGION_CRED_SLACK_BOT_TOKEN/,
  },
  {
    name: "whatsapp tokens missing, all named at once",
    input: fleetWith({ a: {} }, { mesh: { channels: { whatsapp: { phone_number_id: "106540352242922" } } } }),
    code: RenderErrors.secretMissing.code,
    message:
      /WHATSAPP_ACCESS_TOKEN.*; OPENLEGION_CRED_WHATSAPP_APP_SECRET.*; OPENLEGION_CRED_WHATSAPP_VERIFY_TOKEN/,
  },
  {
    name: "webhook secret missing",
    input: fleetWith({ a: {} }, { mesh: { webhooks: [{ name: "crm", agent: "a", secret: "CRM_SECRET" }] } }),
    code: RenderErrors.secretMissing.code,
    message: /OPENLEGION_CRED_CRM_SECRET \(needed by webhook crm\)/,
  },
  {
    name: "mesh.host not an address",
    input: fleetWith({ a: {} }, { mesh: { mesh: { host: "localhost" } } }),
    code: RenderErrors.badValue.code,
    message: /mesh.host "localhost" must be an IPv4 address/,
  },
  {
    name: "mesh.host IPv6",
    input: fleetWith({ a: {} }, { mesh: { mesh: { host: "::1" } } }),
    code: RenderErrors.badValue.code,
    message: /must be an IPv4 address/,
  },
  {
    name: "mesh.host octet out of range",
    input: fleetWith({ a: {} }, { mesh: { mesh: { host: "127.0.0.300" } } }),
    code: RenderErrors.badValue.code,
    message: /must be an IPv4 address/,
  },
  {
    name: "skills_dir with a colon",
    input: fleetWith({ a: { skills_dir: "skills:rw" } }),
    code: RenderErrors.badValue.code,
    message: /agents.a.skills_dir "skills:rw" must not contain ":"/,
  },
  {
    name: "watcher path with a colon",
    input: fleetWith({ a: {} }, { watchers: { watchers: [{ path: "in:box", agent: "a", message: "m" }] } }),
    code: RenderErrors.badValue.code,
    message: /watchers\[\].path "in:box"/,
  },
];

describe("bad input gets a clear error and nothing compiled", () => {
  it.each(CASES)("$name", ({ input, code, message }) => {
    let caught: unknown;
    try {
      compile(makeFleet(input), { toolVersion: "0.1.0" });
    } catch (err) {
      caught = err;
    }
    expect(isOlError(caught), String(caught)).toBe(true);
    if (!isOlError(caught)) return;
    expect(caught.code).toBe(code);
    expect(caught.message).toMatch(message);
    expect(caught.details?.exitCode).toBe(2);
    expect(caught.message).not.toMatch(/sk-test|TEST_MASTER/);
  });

  it("refuses $ in keys and escapes $ in values", () => {
    expect(() => normalize({ labels: { a$b: "x" } })).toThrow(
      expect.objectContaining({ code: RenderErrors.dollarInKey.code }),
    );
    const text = ["costs $5 $", "{HOME} $$"].join("");
    expect(normalize({ a: text })).toEqual({ a: ["costs $$5 $$", "{HOME} $$$$"].join("") });
  });

  it("refuses values that are not plain data", () => {
    expect(() => normalize({ a: new Date(0) })).toThrow(
      expect.objectContaining({ code: RenderErrors.notPlain.code }),
    );
    expect(() => normalize({ a: Number.POSITIVE_INFINITY })).toThrow(
      expect.objectContaining({ code: RenderErrors.notPlain.code }),
    );
    expect(() => normalize({ a: null })).toThrow(
      expect.objectContaining({ code: RenderErrors.notPlain.code }),
    );
  });
});
