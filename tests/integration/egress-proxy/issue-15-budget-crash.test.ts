import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { Pool } from "undici";
import { afterEach, describe, expect, test } from "vitest";
import { agentToken } from "../../../services/common/tokens.js";
import { type FakeProvider, startFakeProvider } from "../../fakes/llm-provider/index.js";
import { baseConfig, KEYS, MASTER_KEY } from "./harness.js";

/**
 * Issue 15, the crash rule of budgets held in memory and journaled in group commits
 * (services/egress-proxy/store/ledger-store.ts): the proxy runs as its own process (production entry point)
 * against the fake provider, is killed with SIGKILL under concurrent load, and restarted on the same volume.
 * Afterwards the ledger and the provider's count of forwarded calls differ by at most the calls in flight at
 * the kill, no call is left open, and the provider never served more than the budget plus those calls.
 */
const MAIN = join(import.meta.dirname, "../../../services/egress-proxy/main.ts");
const HOOK = `data:text/javascript,${encodeURIComponent(`import { registerHooks } from "node:module";
registerHooks({ resolve(s, c, n) { try { return n(s, c); } catch (e) {
  if (e?.code !== "ERR_MODULE_NOT_FOUND" || !s.startsWith(".") || !s.endsWith(".js")) throw e;
  return n(s.slice(0, -3) + ".ts", c); } } });`)}`;

const PRICE = { input_per_mtok: 1000, output_per_mtok: 1000 }; // $0.001 per token
const DAILY_USD = 8;
const CONCURRENCY = 24;
const BODY = JSON.stringify({
  model: "gpt-4o-mini",
  max_tokens: 20,
  messages: [{ role: "user", content: "count the calls, please" }],
});

let dir: string | undefined;
let fake: FakeProvider | undefined;
let proc: ChildProcess | undefined;
afterEach(async () => {
  proc?.kill("SIGKILL");
  await fake?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  proc = undefined;
  fake = undefined;
  dir = undefined;
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

async function startProxy(root: string): Promise<{ proc: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ["--experimental-transform-types", "--no-warnings", "--import", HOOK, MAIN],
    {
      env: {
        PATH: process.env.PATH ?? "",
        OPENLEGION_CONFIG_DIR: join(root, "config"),
        OPENLEGION_SECRETS_DIR: join(root, "secrets"),
        OPENLEGION_DATA_DIR: join(root, "data"),
        OPENLEGION_PROXY_PORT: String(port),
        OPENLEGION_PROXY_HOST: "127.0.0.1",
        OPENLEGION_LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`proxy exited: ${stderr}`);
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { proc: child, url };
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`proxy did not come up: ${stderr}`);
}

/** CONCURRENCY callers in a closed loop until `stop()` says so; counts calls started and finished. */
function load(url: string, stop: (s: { ok: number; refused: number }) => boolean) {
  const pool = new Pool(url, { connections: CONCURRENCY });
  const stats = { started: 0, finished: 0, ok: 0, refused: 0, failed: 0 };
  const headers = {
    "content-type": "application/json",
    authorization: `Bearer ${agentToken(MASTER_KEY, "alice")}`,
  };
  const done = Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (!stop(stats) && stats.started < 5_000) {
        stats.started++;
        try {
          const res = await pool.request({
            path: "/llm/openai/v1/chat/completions",
            method: "POST",
            headers,
            body: BODY,
          });
          await res.body.text();
          if (res.statusCode === 200) stats.ok++;
          else if (res.statusCode === 429 || res.statusCode === 402) stats.refused++;
          else stats.failed++;
        } catch {
          stats.failed++;
        } finally {
          stats.finished++;
        }
      }
    }),
  ).finally(() => pool.destroy());
  return { stats, done };
}

describe("issue 15: kill -9 under load, then restart", () => {
  test("ledger and provider agree within the calls in flight; no budget overspent beyond them", async () => {
    dir = mkdtempSync(join(tmpdir(), "ol-crash-"));
    fake = await startFakeProvider({ expectedKeys: { openai: KEYS.openai } });
    for (const sub of ["config", "secrets", "data"]) mkdirSync(join(dir, sub));
    const config = baseConfig(fake.url);
    config.pricing = { "openai/gpt-4o-mini": PRICE };
    const alice = config.agents.alice;
    if (!alice) throw new Error("alice missing");
    alice.budget = { daily_usd: DAILY_USD, monthly_usd: 1000 };
    writeFileSync(join(dir, "config", "config.json"), JSON.stringify(config));
    writeFileSync(join(dir, "secrets", "master_key"), MASTER_KEY);
    writeFileSync(join(dir, "secrets", "cred_openai_api_key"), KEYS.openai);

    // Life 1: killed with SIGKILL once the provider has served 150 calls, callers still running.
    const first = await startProxy(dir);
    proc = first.proc;
    const provider = fake;
    let inFlightAtKill = -1;
    const one = load(first.url, () => inFlightAtKill >= 0);
    // Watch every loop turn, so the kill lands while callers have calls in flight.
    while (inFlightAtKill < 0) {
      if (provider.requests.length >= 150) {
        inFlightAtKill = one.stats.started - one.stats.finished;
        first.proc.kill("SIGKILL");
      }
      await new Promise((r) => setImmediate(r));
    }
    await once(first.proc, "exit").catch(() => undefined);
    await one.done;
    const forwardedLife1 = provider.requests.length;
    expect(inFlightAtKill).toBeGreaterThan(0);
    expect(one.stats.failed).toBeGreaterThan(0); // the kill cut calls (the test really crashed the proxy mid-load)

    // Life 2: the same volume; runs until the budget refuses every caller.
    const second = await startProxy(dir);
    proc = second.proc;
    const two = load(second.url, (s) => s.refused >= CONCURRENCY);
    await two.done;
    expect(two.stats.ok).toBeGreaterThan(0);
    expect(two.stats.refused).toBeGreaterThanOrEqual(CONCURRENCY);
    second.proc.kill("SIGTERM");
    await once(second.proc, "exit");
    proc = undefined;

    const forwarded = provider.requests.length;
    const db = new Database(join(dir, "data", "egress-proxy.db"), { readonly: true });
    try {
      const rows = db
        .prepare("SELECT state, cost_nusd, reserved_nusd, usage_source FROM calls")
        .all() as Array<{
        state: string;
        cost_nusd: number;
        reserved_nusd: number;
        usage_source: string;
      }>;
      // Nothing left open: calls the crash cut were charged their full reservation at boot.
      expect(rows.filter((r) => r.state !== "settled")).toEqual([]);
      expect(forwarded).toBeGreaterThan(forwardedLife1);
      expect(Math.abs(rows.length - forwarded)).toBeLessThanOrEqual(inFlightAtKill);
      // Budget: what the provider actually served, at the price of a served call, stays within the daily
      // limit plus the reservations of the calls in flight at the kill.
      const served = rows.find((r) => r.usage_source === "reported");
      if (!served) throw new Error("no reported call in the ledger");
      const limitNusd = DAILY_USD * 1e9;
      expect(forwarded * served.cost_nusd).toBeLessThanOrEqual(
        limitNusd + inFlightAtKill * served.reserved_nusd,
      );
      const spent = db
        .prepare("SELECT spent_nusd, reserved_nusd FROM spend WHERE period LIKE 'd:%'")
        .get() as {
        spent_nusd: number;
        reserved_nusd: number;
      };
      expect(spent.reserved_nusd).toBe(0);
      expect(spent.spent_nusd).toBeLessThanOrEqual(limitNusd);
      expect(spent.spent_nusd).toBe(rows.reduce((s, r) => s + r.cost_nusd, 0));
    } finally {
      db.close();
    }
  }, 60_000);
});
