import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { agentToken } from "../../services/common/tokens.js";
import { type Child, firstJsonLine, freePort, startChild, TS_FLAGS, waitForHttp } from "./processes.js";

export const MASTER_KEY = "bench-master-key-0123456789abcdefghijklmnop";
/** The provider key: only the proxy (from its secret file) and Portkey/direct callers (as a header) hold it. */
export const PROVIDER_KEY = "sk-bench-provider-key";
/** Agents the proxy serves; concurrent callers spread over them (the proxy caps calls in flight per agent). */
export const AGENTS = Array.from({ length: 10 }, (_, i) => `bench-${i}`);

const REPO = new URL("../../", import.meta.url).pathname;

export interface EgressStack {
  fakeUrl: string;
  /** Proxy origins by label ("proxy", and "before" when a baseline tree was given). */
  proxies: Map<string, string>;
  portkeyUrl: string | undefined;
  /** Server processes by label: "fake", "proxy", "before", "portkey". */
  children: Map<string, Child>;
  stop(): Promise<void>;
}

export interface StackOptions {
  /** Extra proxies to run from other source trees (label → repo root), e.g. a copy taken before a change. */
  baselines?: Record<string, string>;
  portkey: boolean;
  /** Also run bench/lib/floor-proxy.ts (a bare forwarder: what any Node proxy costs here). */
  floor: boolean;
  /** Directory for `--cpu-prof` output of the proxy under test. */
  profileDir?: string;
  pacedDelayMs: number;
  pacedWords: number;
}

function proxyConfig(fakeUrl: string): unknown {
  return {
    version: 1,
    agents: Object.fromEntries(
      AGENTS.map((id) => [
        id,
        {
          models: ["openai/gpt-4o-mini", "openai/gpt-4o"],
          allowed_hosts: [],
          allowed_apis: [],
          budget: { daily_usd: 1_000_000, monthly_usd: 1_000_000 },
          max_tokens: 256,
          subnet: "127.0.0.0/8",
          token_generation: 0,
          llm_endpoints: [],
          server_tools: [],
        },
      ]),
    ),
    providers: { openai: { api: "openai", base_url: fakeUrl, credential: "OPENAI_API_KEY" } },
    apis: {},
    pricing: {},
    allow_private_cidrs: [],
  };
}

/** Fake provider, our proxy (its production entry point, info logging) and Portkey, each its own process. */
export async function startEgressStack(opts: StackOptions): Promise<EgressStack> {
  const children = new Map<string, Child>();
  const dirs: string[] = [];
  const stop = async () => {
    await Promise.all([...children.values()].map((c) => c.stop()));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  };
  try {
    const fake = startChild("fake provider", [...TS_FLAGS, join(REPO, "bench/lib/fake-server.ts")], {
      BENCH_KEY: PROVIDER_KEY,
      PACED_DELAY_MS: String(opts.pacedDelayMs),
      PACED_WORDS: String(opts.pacedWords),
    });
    children.set("fake", fake);
    const { url: fakeUrl } = await firstJsonLine<{ url: string }>(fake);

    const proxies = new Map<string, string>();
    const roots: Array<[string, string]> = [["proxy", REPO], ...Object.entries(opts.baselines ?? {})];
    for (const [label, root] of roots) {
      const dir = mkdtempSync(join(tmpdir(), `ol-bench-${label}-`));
      dirs.push(dir);
      for (const sub of ["config", "secrets", "data"]) mkdirSync(join(dir, sub));
      writeFileSync(join(dir, "config", "config.json"), JSON.stringify(proxyConfig(fakeUrl)));
      writeFileSync(join(dir, "secrets", "master_key"), MASTER_KEY);
      writeFileSync(join(dir, "secrets", "cred_openai_api_key"), PROVIDER_KEY);
      const port = await freePort();
      const profile =
        label === "proxy" && opts.profileDir ? ["--cpu-prof", `--cpu-prof-dir=${opts.profileDir}`] : [];
      // e.g. BENCH_PROXY_FLAGS=--perf-basic-prof to symbolise JIT frames for `perf record -p <pid>`.
      if (label === "proxy")
        profile.push(...(process.env.BENCH_PROXY_FLAGS ?? "").split(" ").filter(Boolean));
      const child = startChild(
        label,
        [...TS_FLAGS, ...profile, join(root, "services/egress-proxy/main.ts")],
        {
          OPENLEGION_CONFIG_DIR: join(dir, "config"),
          OPENLEGION_SECRETS_DIR: join(dir, "secrets"),
          OPENLEGION_DATA_DIR: join(dir, "data"),
          OPENLEGION_PROXY_PORT: String(port),
          OPENLEGION_PROXY_HOST: "127.0.0.1",
          OPENLEGION_LOG_LEVEL: "info",
        },
      );
      // The proxy logs JSON lines to stdout; drain them like a container runtime would (or keep them).
      const logFile = process.env.BENCH_PROXY_LOG;
      if (logFile && label === "proxy") child.process.stdout?.pipe(createWriteStream(logFile));
      else child.process.stdout?.resume();
      children.set(label, child);
      const origin = `http://127.0.0.1:${port}`;
      await waitForHttp(`${origin}/healthz`, child);
      proxies.set(label, origin);
    }

    if (opts.floor) {
      const floor = startChild("floor", [...TS_FLAGS, join(REPO, "bench/lib/floor-proxy.ts")], {
        UPSTREAM: fakeUrl,
        BENCH_KEY: PROVIDER_KEY,
      });
      children.set("floor", floor);
      const { url } = await firstJsonLine<{ url: string }>(floor);
      proxies.set("floor", url);
    }

    let portkeyUrl: string | undefined;
    if (opts.portkey) {
      const port = await freePort();
      const entry = join(REPO, "node_modules/@portkey-ai/gateway/build/start-server.js");
      const preload = join(REPO, "bench/lib/portkey-preload.ts");
      const child = startChild("portkey", ["--import", preload, entry, `--port=${port}`, "--headless"], {
        NODE_ENV: "production",
      });
      child.process.stdout?.resume();
      children.set("portkey", child);
      portkeyUrl = `http://127.0.0.1:${port}`;
      await waitForHttp(`${portkeyUrl}/`, child);
    }
    return { fakeUrl, proxies, portkeyUrl, children, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

export const agentHeaders = (): Array<Record<string, string>> =>
  AGENTS.map((id) => ({ authorization: `Bearer ${agentToken(MASTER_KEY, id)}` }));
