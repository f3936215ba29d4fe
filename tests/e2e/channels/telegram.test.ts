/**
 * Telegram end to end in real Docker (issue 17): a running fleet, then `channels add telegram` and
 * `up -d` start the adapter without touching the agents; the fake Telegram Bot API runs as a container on
 * the egress network; a user pairs and chats with an agent; the bot token is in the egress proxy (which
 * writes it into the Bot API path) and in no other container: not in the mesh, not in an agent, not in
 * any `docker inspect`, environment or log. Skipped when no Docker daemon can be reached.
 */
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, docker, dockerReady, ipOn, nodeIn, ROOT, waitFor } from "../helpers/fleet.js";
import { E2eFleet } from "../helpers/fleet-setup.js";

const HAVE_DOCKER = await dockerReady();
const TG_PORT = 8081;
const BOT_TOKEN = `987654321:AAE2e${Date.now().toString(36)}_telegram_token_xyz0123456789`;
const VERSION = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;

/** Every file under /run/secrets of a container, concatenated (node is in every image). */
const secretsOf = (container: string) =>
  nodeIn(
    container,
    "const fs=require('node:fs');const d='/run/secrets';let o='';try{for(const f of fs.readdirSync(d))o+=f+'='+fs.readFileSync(d+'/'+f,'utf8')+'\\n'}catch{}process.stdout.write(o)",
  );

describe.skipIf(!HAVE_DOCKER)("Telegram channel end to end (real Docker)", () => {
  const fleet = new E2eFleet(`sk-e2e-channels-${Date.now().toString(36)}`);
  const { dir } = fleet;
  let tgUrl = "";
  const agentsBefore: Record<string, string> = {};

  const tg = async (path: string, body?: unknown) => {
    const res = await fetch(`${tgUrl}${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: { "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(10_000),
    });
    return ((await res.json()) as { result: unknown }).result;
  };
  const sentTo = async (user: number) =>
    ((await tg("/_fake/sent")) as { chat_id: string; text: string }[])
      .filter((m) => m.chat_id === String(user))
      .map((m) => m.text);
  const say = async (user: number, text: string): Promise<string> => {
    const before = (await sentTo(user)).length;
    await tg("/_fake/say", { user, text });
    return waitFor(`a reply to "${text}"`, async () => (await sentTo(user))[before], 60_000);
  };
  const channelRow = async () => {
    const r = await fleet.operator("GET", "/v1/channels");
    return (
      JSON.parse(r.body) as {
        channels: { name: string; state: string; owner: string | null; detail: string | null }[];
      }
    ).channels.find((c) => c.name === "telegram");
  };
  const agentContainers = async () =>
    (
      await docker([
        "ps",
        "-q",
        "--no-trunc",
        "--filter",
        `label=com.docker.compose.project=${fleet.project}`,
        "--filter",
        "label=io.openlegion.service=agent",
      ])
    )
      .split("\n")
      .filter(Boolean);

  beforeAll(async () => {
    await fleet.init("starter");
    writeFileSync(join(dir, "fake-telegram-token"), BOT_TOKEN, { mode: 0o644 });
    appendFileSync(
      join(dir, "docker-compose.override.yml"),
      `  fake-telegram:
    image: openlegion/agent:${VERSION}
    command: ["node", "/app/fake/telegram/main.ts"]
    environment:
      PORT: "${TG_PORT}"
      TOKEN_FILE: /app/token
    volumes:
      - "${join(ROOT, "tests", "fakes", "telegram")}:/app/fake/telegram:ro"
      - "./fake-telegram-token:/app/token:ro"
    networks: [egress]
    healthcheck:
      disable: true
`,
    );
  }, 300_000);

  afterAll(() => fleet.destroy(), 180_000);

  it("1. a fleet without channels comes up", async () => {
    const up = await fleet.cli(["up", dir, "-d", "--timeout", "240"]);
    expect(up.code, up.stdout + up.stderr).toBe(0);
    for (const id of await agentContainers())
      agentsBefore[id] = (await docker(["inspect", "-f", "{{.State.StartedAt}}", id])).trim();
    expect(Object.keys(agentsBefore).length).toBeGreaterThan(0);
  }, 600_000);

  it("2. `channels add telegram` then `up -d` starts the adapter and leaves every agent running as it was", async () => {
    // Unattended: the token comes from an environment variable named by --token-env.
    const add = await cli(["channels", "add", "telegram", "--dir", dir, "--token-env", "TG_TOKEN"], {
      ...fleet.env,
      TG_TOKEN: BOT_TOKEN,
    });
    expect(add.code, add.stdout + add.stderr).toBe(0);
    expect(add.stdout + add.stderr).not.toContain(BOT_TOKEN);
    const meshYaml = join(dir, "config", "mesh.yaml");
    const text = readFileSync(meshYaml, "utf8");
    const withRoot = text.replace(
      /^(\s*)telegram:\n/m,
      (m, indent: string) => `${m}${indent}  api_root: "http://fake-telegram:${TG_PORT}"\n`,
    );
    expect(withRoot, text).not.toBe(text);
    writeFileSync(meshYaml, withRoot);

    const up = await fleet.cli(["up", dir, "-d", "--timeout", "240"]);
    expect(up.code, up.stdout + up.stderr).toBe(0);
    tgUrl = `http://${await ipOn(await fleet.container("fake-telegram"), "_egress")}:${TG_PORT}`;
    await fleet.locateFake();
    await waitFor(
      "telegram connected",
      async () => ((await channelRow())?.state === "connected" ? true : undefined),
      90_000,
    );
    const after: Record<string, string> = {};
    for (const id of await agentContainers())
      after[id] = (await docker(["inspect", "-f", "{{.State.StartedAt}}", id])).trim();
    expect(after).toEqual(agentsBefore);
  }, 600_000);

  it("3. a user pairs with the code and chats with an agent", async () => {
    const pair = await fleet.operator("POST", "/v1/channels/telegram/pair");
    expect(pair.status, pair.body).toBe(200);
    const code = (JSON.parse(pair.body) as { code: string }).code;
    expect(await say(4242, "/start WRONG234")).toBe("That pairing code is wrong or has expired.");
    expect(await say(4242, `/start ${code}`)).toContain("Paired: you are the owner");
    expect((await channelRow())?.owner).toBe("4242");
    await fleet.fake.say("hello from the fleet");
    expect(await say(4242, "hi bot")).toMatch(/^\[[a-z0-9-]+\] hello from the fleet$/);
    const list = await fleet.cli(["channels", "list", "--dir", dir, "--json"]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain("4242");
  }, 300_000);

  it("4. the bot token is in the egress proxy's secrets and nowhere else: no inspect, env, log or other container", async () => {
    const ids = (
      await docker([
        "ps",
        "-aq",
        "--no-trunc",
        "--filter",
        `label=com.docker.compose.project=${fleet.project}`,
      ])
    )
      .split("\n")
      .filter(Boolean);
    const fakeTg = await fleet.container("fake-telegram");
    const proxy = await fleet.container("egress-proxy");
    expect(ids.length).toBeGreaterThan(3);
    for (const id of ids) {
      if (id === fakeTg) continue; // the platform itself
      const name = (await docker(["inspect", "-f", "{{.Name}}", id])).trim();
      expect(await docker(["inspect", id]), `docker inspect ${name}`).not.toContain(BOT_TOKEN);
      const logs = await docker(["logs", id], true);
      expect(logs, `logs of ${name}`).not.toContain(BOT_TOKEN);
      const secrets = (await secretsOf(id)).stdout;
      if (id === proxy) expect(secrets, "the proxy holds the token").toContain(BOT_TOKEN);
      else expect(secrets, `secrets of ${name}`).not.toContain(BOT_TOKEN);
    }
    // Nor in what the CLI and the mesh show.
    expect(JSON.stringify(await channelRow())).not.toContain(BOT_TOKEN);
    const status = await fleet.cli(["status", dir, "--json"]);
    expect(status.stdout + status.stderr).not.toContain(BOT_TOKEN);
  }, 300_000);
});
