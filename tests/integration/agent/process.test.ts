import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeProvider, startFakeProvider } from "../../fakes/llm-provider/index.js";
import { AGENT_TOKEN, MESH_TOKEN, manifest } from "./helpers.js";

const MAIN = join(import.meta.dirname, "../../../services/agent/main.ts");
// Run straight from source: map our `./x.js` specifiers to `./x.ts` when the .js file does not exist.
const HOOK = `data:text/javascript,${encodeURIComponent(`import { registerHooks } from "node:module";
registerHooks({ resolve(s, c, n) { try { return n(s, c); } catch (e) {
  if (e?.code !== "ERR_MODULE_NOT_FOUND" || !s.startsWith(".") || !s.endsWith(".js")) throw e;
  return n(s.slice(0, -3) + ".ts", c); } } });`)}`;

let child: ChildProcess | undefined;
let dir: string | undefined;
let fake: FakeProvider | undefined;
afterEach(async () => {
  child?.kill("SIGKILL");
  child = undefined;
  await fake?.close();
  fake = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function layout(opts: { manifest?: unknown; meshToken?: string | null }) {
  dir = await mkdtemp(join(tmpdir(), "ol-agent-proc-"));
  for (const d of ["config", "secrets", "data"]) await mkdir(join(dir, d));
  if (opts.manifest !== undefined)
    await writeFile(join(dir, "config/manifest.json"), JSON.stringify(opts.manifest));
  await writeFile(join(dir, "secrets/agent_token"), AGENT_TOKEN);
  if (opts.meshToken !== null) await writeFile(join(dir, "secrets/mesh_token"), opts.meshToken ?? MESH_TOKEN);
  return {
    PATH: process.env.PATH ?? "",
    OPENLEGION_CONFIG_DIR: join(dir, "config"),
    OPENLEGION_SECRETS_DIR: join(dir, "secrets"),
    OPENLEGION_DATA_DIR: join(dir, "data"),
    OPENLEGION_AGENT_HOST: "127.0.0.1",
    OPENLEGION_AGENT_PORT: "0",
  };
}

function start(env: Record<string, string>): {
  proc: ChildProcess;
  listening: Promise<string>;
  exited: Promise<{ code: number | null; stderr: string }>;
} {
  const proc = spawn(
    process.execPath,
    ["--experimental-transform-types", "--no-warnings", "--import", HOOK, MAIN],
    { env, stdio: "pipe" },
  );
  child = proc;
  let out = "";
  let err = "";
  const listening = new Promise<string>((resolve) => {
    proc.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /"address":"(http:\/\/[^"]+)"/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
  });
  proc.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    proc.on("exit", (code) => resolve({ code, stderr: err })),
  );
  return { proc, listening, exited };
}

describe("agent process", () => {
  it("refuses to start without a manifest, with a clear message", async () => {
    const env = await layout({});
    const { code, stderr } = await start(env).exited;
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /^OL_ERR_AGENT_CONFIG: cannot read the agent manifest at .*manifest\.json: ENOENT/,
    );
  });

  it("refuses a malformed manifest and a missing mesh_token secret", async () => {
    const bad = await start(await layout({ manifest: { ...manifest(), model: 42 } })).exited;
    expect(bad.stderr).toContain("model: Invalid input");
    await rm(dir ?? "", { recursive: true, force: true });
    const noToken = await start(await layout({ manifest: manifest(), meshToken: null })).exited;
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain("cannot read the mesh_token secret");
  });

  it("serves a chat turn through the fake provider, then exits 0 on SIGTERM", async () => {
    fake = await startFakeProvider();
    fake.script("openai", { text: "pong" });
    const env = await layout({ manifest: manifest({ proxy_url: fake.url }) });
    const agent = start({ ...env, OPENLEGION_LOG_LEVEL: "info" });
    const url = await agent.listening;
    const res = await fetch(`${url}/chat`, {
      method: "POST",
      headers: { authorization: `Bearer ${MESH_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ message: "ping", lane: "followup", from: "operator" }),
    });
    expect(await res.json()).toMatchObject({ reply: "pong", status: "completed" });
    agent.proc.kill("SIGTERM");
    const { code, stderr } = await agent.exited;
    expect(code).toBe(0);
    expect(stderr).not.toContain(AGENT_TOKEN);
  });
});
