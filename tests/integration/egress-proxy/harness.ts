import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ProxyConfig } from "../../../services/common/contracts/proxy-config.js";
import { agentToken, operatorToken } from "../../../services/common/tokens.js";
import { buildProxy, type EgressProxy, type ProxyDeps } from "../../../services/egress-proxy/app.js";
import { fileSecrets } from "../../../services/egress-proxy/secrets.js";
import { type FakeProvider, startFakeProvider } from "../../fakes/llm-provider/index.js";

export const MASTER_KEY = "test-master-key-0123456789abcdefghijklmnopqrstuv";
/** Canary provider keys: they must reach the fake provider and nothing else. */
export const KEYS = {
  openai: "sk-canary-openai-7f3a9c",
  anthropic: "sk-ant-canary-2b8e41",
  gemini: "AIza-canary-gemini-55d0",
  brave: "brave-canary-key-91c2",
};

export interface Stack {
  proxy: EgressProxy;
  fake: FakeProvider;
  /** http://127.0.0.1:PORT */
  url: string;
  dir: string;
  dbPath: string;
  config: ProxyConfig;
  token: (agent: string) => string;
  operator: string;
  close(): Promise<void>;
}

export function baseConfig(fakeUrl: string): ProxyConfig {
  return {
    version: 1,
    agents: {
      alice: {
        models: [
          "openai/gpt-4o-mini",
          "openai/text-embedding-3-small",
          "anthropic/claude-haiku-4-5",
          "gemini/gemini-2.5-flash",
          "compat/llama-3",
        ],
        allowed_hosts: [],
        allowed_apis: ["brave"],
        budget: { daily_usd: 10, monthly_usd: 200 },
        max_tokens: 1000,
        subnet: "127.0.0.0/8",
        token_generation: 0,
        llm_endpoints: [],
        server_tools: [],
      },
      bob: {
        models: ["openai/gpt-4o"],
        allowed_hosts: [],
        allowed_apis: [],
        budget: { daily_usd: 10, monthly_usd: 200 },
        max_tokens: 1000,
        subnet: "127.0.0.0/8",
        token_generation: 0,
        llm_endpoints: [],
        server_tools: [],
      },
    },
    providers: {
      openai: { api: "openai", base_url: fakeUrl, credential: "OPENAI_API_KEY" },
      anthropic: { api: "anthropic", base_url: fakeUrl, credential: "ANTHROPIC_API_KEY" },
      gemini: { api: "gemini", base_url: fakeUrl, credential: "GEMINI_API_KEY" },
      compat: { api: "openai-compatible", base_url: `${fakeUrl}/compat`, credential: "OPENAI_API_KEY" },
    },
    apis: {
      brave: { base_url: `${fakeUrl}/brave`, credential: "BRAVE_KEY", header: "X-Subscription-Token" },
    },
    pricing: {},
    allow_private_cidrs: [],
  };
}

export async function startStack(
  edit: (config: ProxyConfig) => void = () => {},
  deps: Partial<ProxyDeps> = {},
  existing?: { dir: string; fake: FakeProvider },
): Promise<Stack> {
  const fake =
    existing?.fake ??
    (await startFakeProvider({
      expectedKeys: { openai: KEYS.openai, anthropic: KEYS.anthropic, gemini: KEYS.gemini },
    }));
  const dir = existing?.dir ?? mkdtempSync(join(tmpdir(), "ol-proxy-"));
  writeFileSync(join(dir, "master_key"), `${MASTER_KEY}\n`);
  writeFileSync(join(dir, "cred_openai_api_key"), KEYS.openai);
  writeFileSync(join(dir, "cred_anthropic_api_key"), KEYS.anthropic);
  writeFileSync(join(dir, "cred_gemini_api_key"), KEYS.gemini);
  writeFileSync(join(dir, "cred_brave_key"), KEYS.brave);
  const config = baseConfig(fake.url);
  edit(config);
  const dbPath = join(dir, "proxy.db");
  const proxy = buildProxy({ config, secrets: fileSecrets(dir), dbPath, ...deps });
  await new Promise<void>((resolve) => proxy.server.listen(0, "127.0.0.1", resolve));
  const port = (proxy.server.address() as AddressInfo).port;
  return {
    proxy,
    fake,
    url: `http://127.0.0.1:${port}`,
    dir,
    dbPath,
    config,
    token: (agent) => agentToken(MASTER_KEY, agent),
    operator: operatorToken(MASTER_KEY),
    async close() {
      await proxy.close();
      if (!existing) {
        await fake.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** POST JSON with fetch; returns status, headers and text. */
export async function post(
  url: string,
  token: string | undefined,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}
