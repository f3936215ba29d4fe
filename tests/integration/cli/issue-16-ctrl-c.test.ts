import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type IPty, spawn } from "@lydell/node-pty";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { meshToken } from "../../../services/common/tokens.js";
import { type Harness, startHarness } from "../agent/harness.js";
import { freePort } from "../agent/mesh-stack.js";
import { type Stack as ProxyStack, startStack as startProxy } from "../egress-proxy/harness.js";
import {
  MASTER,
  type Harness as MeshHarness,
  meshConfig,
  perms,
  removeDir,
  startMesh,
} from "../mesh/helpers.js";

/**
 * Issue 16 item 1: Ctrl-C cancels a streaming reply at once, in the REPL and in `chat -m`, and the
 * cancel reaches the agent's run and the upstream LLM call. The built CLI runs in a pseudo-terminal
 * against a real mesh, agent and egress proxy on loopback; the fake provider holds the stream open
 * (never_end) after two chunks, so only a cancel can end it.
 */
const run = promisify(execFile);
const REPO = fileURLToPath(new URL("../../../", import.meta.url));
const BIN = join(REPO, "bin/openlegion.js");

let proxy: ProxyStack | undefined;
let mesh: MeshHarness | undefined;
let agent: Harness | undefined;
let fleetDir: string | undefined;
let term: IPty | undefined;

beforeAll(async () => {
  await run("npm", ["run", "build"], { cwd: REPO, timeout: 170_000 });
}, 180_000);

afterEach(async () => {
  term?.kill();
  await agent?.close();
  await mesh?.close();
  await proxy?.close();
  if (mesh) removeDir(mesh.dir);
  if (fleetDir) removeDir(fleetDir);
  term = agent = mesh = proxy = fleetDir = undefined;
});

/** Proxy (in front of the fake) ← agent "alice" → mesh; a fleet directory the CLI can read. */
async function startFleet(): Promise<{ meshPort: number }> {
  proxy = await startProxy();
  const agentPort = await freePort();
  mesh = await startMesh(
    meshConfig({ alice: { permissions: perms(), url: `http://127.0.0.1:${agentPort}` } }),
    {
      subnetOverrides: { alice: "127.0.0.0/8" },
    },
  );
  const meshUrl = await mesh.app.listen({ host: "127.0.0.1", port: 0 });
  agent = await startHarness(
    { id: "alice", mesh_url: meshUrl, proxy_url: proxy.url },
    {
      fake: proxy.fake,
      agentToken: proxy.token("alice"),
      meshToken: meshToken(MASTER, "alice"),
      port: agentPort,
    },
  );
  fleetDir = mkdtempSync(join(tmpdir(), "ol-ctrlc-"));
  writeFileSync(join(fleetDir, ".env"), `OPENLEGION_MASTER_KEY=${MASTER}\n`);
  writeFileSync(
    join(fleetDir, "docker-compose.yml"),
    'services:\n  agent-alice:\n    image: openlegion/agent:0.1.0\n    labels:\n      io.openlegion.agent: "alice"\n',
  );
  // Two chunks of text reach the terminal, then the upstream stream hangs until someone hangs up.
  proxy.fake.script("openai", {
    fault: "never_end",
    afterChunks: 2,
    answer: { text: "one two three four five six" },
  });
  return { meshPort: Number(new URL(meshUrl).port) };
}

/** The CLI in a pseudo-terminal; `until` resolves once the screen shows `text`. */
function openTerminal(args: string[]) {
  let screen = "";
  let exit: Promise<number>;
  const t = spawn(process.execPath, [BIN, ...args], {
    name: "xterm",
    cols: 120,
    rows: 30,
    cwd: fleetDir,
    env: { PATH: process.env.PATH ?? "", HOME: fleetDir ?? "/tmp", NO_COLOR: "1" },
  });
  term = t;
  exit = new Promise((resolve) => t.onExit(({ exitCode }) => resolve(exitCode)));
  t.onData((d) => {
    screen += d;
  });
  const until = async (text: string | RegExp, timeoutMs = 15_000) => {
    const deadline = Date.now() + timeoutMs;
    const seen = () => (typeof text === "string" ? screen.includes(text) : text.test(screen));
    while (!seen()) {
      if (Date.now() > deadline)
        throw new Error(`terminal never showed ${String(text)}; it shows:\n${screen}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { t, until, screen: () => screen, exit: () => exit };
}

/** The proxy's ledger row of the aborted call: settled, with the status the client saw and its usage. */
function ledger(): { state: string; error_code: string | null; status: number | null }[] {
  const db = proxy?.proxy.context.store.db;
  return (db?.prepare("SELECT state, error_code, status FROM calls").all() ?? []) as never;
}

async function expectCancelledUpstream(): Promise<void> {
  // The cancel travelled CLI → mesh → agent run → AI SDK → proxy → provider: the fake saw the hang-up.
  await proxy?.fake.waitForAborts(1, 10_000);
  const deadline = Date.now() + 10_000;
  while (ledger().some((c) => c.state !== "settled") && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  expect(ledger()).toEqual([expect.objectContaining({ state: "settled", status: 200 })]);
  expect(ledger()[0]?.error_code).not.toBeNull();
}

describe("issue 16: Ctrl-C cancels a reply at once", () => {
  it("in the REPL: the reply stops, the prompt returns, the upstream call is aborted and metered", async () => {
    const { meshPort } = await startFleet();
    const cli = openTerminal(["chat", "alice", "--port", String(meshPort)]);
    await cli.until("alice> ");
    cli.t.write("hello there\r");
    await cli.until("alice: one");
    cli.t.write("\x03");
    await cli.until("(reply cancelled)");
    await expectCancelledUpstream();
    // The REPL is still alive and usable: the prompt came back after the cancel.
    await cli.until(/\(reply cancelled\)[\s\S]*alice> /);
    expect(agent?.agent).toBeDefined();
    cli.t.write("/quit\r");
    await cli.until("Stop the fleet too?");
    cli.t.write("n\r");
    expect(await cli.exit()).toBe(0);
  });

  it("in chat -m: the command exits 130 at once and the upstream call is aborted", async () => {
    const { meshPort } = await startFleet();
    const cli = openTerminal(["chat", "alice", "--port", String(meshPort), "-m", "hello there"]);
    await cli.until("one");
    cli.t.write("\x03");
    expect(await cli.exit()).toBe(130);
    expect(cli.screen()).toContain("reply from alice cancelled");
    await expectCancelledUpstream();
  });
});
