import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { PINS_FILE } from "../../../services/agent/mcp/index.js";
import { agentToken, meshToken } from "../../../services/common/tokens.js";
import { runCli } from "../../unit/cli/helpers.js";
import { MASTER, type Harness as MeshHarness, meshConfig, perms, startMesh } from "../mesh/helpers.js";
import { chat, type Harness, startHarness, toolsOffered } from "./harness.js";
import { freePort } from "./mesh-stack.js";

/**
 * Issue 18: a rug-pulled MCP tool stays held until the operator approves it with
 * `openlegion mcp approve`; `openlegion mcp list` shows the negotiated protocol revision. The CLI
 * talks to the real mesh, which relays to the real agent running the npm `server-everything`.
 */
const require = createRequire(import.meta.url);
const EVERYTHING = join(
  dirname(require.resolve("@modelcontextprotocol/server-everything/package.json")),
  "dist/index.js",
);

let mesh: MeshHarness | undefined;
let h: Harness | undefined;
let fleetDir: string | undefined;
afterEach(async () => {
  await h?.close();
  await mesh?.close();
  if (fleetDir) await rm(fleetDir, { recursive: true, force: true });
  h = undefined;
  mesh = undefined;
  fleetDir = undefined;
});

async function fleet(): Promise<{ cli: (...argv: string[]) => ReturnType<typeof runCli> }> {
  const port = await freePort();
  mesh = await startMesh(meshConfig({ alice: { permissions: perms({}), url: `http://127.0.0.1:${port}` } }), {
    subnetOverrides: { alice: "127.0.0.0/8" },
  });
  const meshUrl = await mesh.app.listen({ host: "127.0.0.1", port: 0 });
  h = await startHarness(
    {
      id: "alice",
      mesh_url: meshUrl,
      mcp_servers: [
        {
          name: "everything",
          command: process.execPath,
          args: [EVERYTHING],
          env: {},
          secret_env: {},
          timeout_s: 60,
        },
      ],
    },
    { agentToken: agentToken(MASTER, "alice"), meshToken: meshToken(MASTER, "alice"), port },
  );
  // A pin from an earlier boot with another definition of get-sum: the server "changed" it.
  const pins = join(h.dataDir, PINS_FILE);
  await mkdir(dirname(pins), { recursive: true });
  await writeFile(pins, JSON.stringify({ everything: { "get-sum": "0".repeat(64) } }));
  await h.restart();
  fleetDir = await mkdtemp(join(tmpdir(), "ol-mcp-cli-"));
  await writeFile(join(fleetDir, ".env"), `OPENLEGION_MASTER_KEY=${MASTER}\n`, { mode: 0o600 });
  const meshPort = new URL(meshUrl).port;
  return { cli: (...argv) => runCli([...argv, "--dir", fleetDir!, "--port", meshPort]) };
}

describe("openlegion mcp list / approve (issue 18)", () => {
  it("lists the held tool and the negotiated revision; approve offers it again from the next turn", async () => {
    const { cli } = await fleet();
    const listed = await cli("mcp", "list", "alice", "--json");
    expect(listed.stderr).toBe("");
    expect(listed.code).toBe(0);
    const [server] = JSON.parse(listed.stdout).servers;
    expect(server).toMatchObject({
      agent: "alice",
      name: "everything",
      state: "ready",
      transport: "stdio",
      protocol: "2025-11-25",
      held: [{ name: "get-sum" }],
    });
    expect(server.held[0].description.length).toBeGreaterThan(0);

    const table = await cli("mcp", "list");
    expect(table.stdout).toMatch(/^AGENT\s+SERVER\s+STATE\s+TRANSPORT\s+PROTOCOL\s+TOOLS\s+HELD$/m);
    expect(table.stdout).toMatch(/^alice\s+everything\s+ready\s+stdio\s+2025-11-25\s+\d+\s+get-sum$/m);
    expect(table.stdout).toContain("openlegion mcp approve <agent> <server> <tool>");

    h!.fake.script("openai", { text: "before" });
    await chat(h!, "hi");
    expect(toolsOffered(h!.fake.requests.at(-1))).not.toContain("get-sum");

    const approved = await cli("mcp", "approve", "alice", "everything", "get-sum");
    expect(approved.code).toBe(0);
    expect(approved.stdout).toContain("approved alice/everything/get-sum");
    expect(JSON.parse((await cli("mcp", "list", "alice", "--json")).stdout).servers[0].held).toEqual([]);
    h!.fake.script("openai", { text: "after" });
    await chat(h!, "hi again");
    expect(toolsOffered(h!.fake.requests.at(-1))).toContain("get-sum");

    // Approving what is not held is a usage error naming it; nothing changes.
    const again = await cli("mcp", "approve", "alice", "everything", "get-sum");
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('held tool "get-sum" of MCP server "everything"');
    const nobody = await cli("mcp", "approve", "nobody", "everything", "get-sum");
    expect(nobody.code).toBe(2);
    expect(nobody.stderr).toContain('no agent "nobody"');
  });
});
