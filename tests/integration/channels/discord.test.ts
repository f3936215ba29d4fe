import { afterEach, describe, expect, it } from "vitest";
import { type FakeDiscord, startFakeDiscord } from "../../fakes/discord/index.js";
import { type Stack, startStack, waitFor } from "../agent/mesh-stack.js";
import { type ChannelProxy, channelRow, pairCode, startChannelProxy, waitForState } from "./helpers.js";

let dc: FakeDiscord | undefined;
let stack: Stack | undefined;
let proxy: ChannelProxy | undefined;

afterEach(async () => {
  await stack?.close();
  await proxy?.close();
  proxy = undefined;
  await dc?.close();
  stack = undefined;
  dc = undefined;
});

async function fleet(token?: string, gatewayHost?: string): Promise<void> {
  dc = await startFakeDiscord({ gatewayHost });
  const secret = token ?? dc.token;
  // REST and (through the mesh's loopback relay) the gateway leave through the proxy's CONNECT door;
  // the token stays in the mesh (IDENTIFY frames).
  proxy = await startChannelProxy({ apis: {}, hosts: [new URL(dc.apiUrl).host], secrets: {} });
  stack = await startStack({ alice: {}, bob: {} }, [], {
    proxyUrl: proxy.url,
    channels: { discord: { enabled: true, api_root: dc.apiUrl } },
    channelSecret: (c) => (c === "DISCORD_BOT_TOKEN" ? secret : undefined),
  });
}

async function say(user: string, text: string, count = 1): Promise<string[]> {
  const chat = `dm-${user}`;
  const before = dc!.to(chat).length;
  dc!.userSays(user, text);
  await waitFor(`${count} posts for "${text.slice(0, 30)}"`, async () =>
    dc!.to(chat).length >= before + count ? true : undefined,
  );
  return dc!.to(chat).slice(before);
}

const OWNER = "1300000000000000001";
const STRANGER = "1300000000000000002";

async function pairedFleet(): Promise<void> {
  await fleet();
  await waitForState(stack!.meshUrl, "discord", "connected");
  expect((await say(OWNER, `/start ${await pairCode(stack!.meshUrl, "discord")}`))[0]).toContain("Paired");
}

describe("Discord channel through the real mesh and real agents", () => {
  it("pairs, refuses strangers until allowed, /use per user, @agent, owner-only commands", async () => {
    await fleet();
    await waitForState(stack!.meshUrl, "discord", "connected");
    const code = await pairCode(stack!.meshUrl, "discord");
    expect(await say(OWNER, "/start WRONG234")).toEqual(["That pairing code is wrong or has expired."]);
    expect((await say(OWNER, `/start ${code}`))[0]).toContain("Paired");
    expect(await say(STRANGER, `/start ${code}`)).toEqual(["That pairing code is wrong or has expired."]);
    expect((await say(STRANGER, "hi"))[0]).toContain(`Your user id is ${STRANGER}`);
    expect(await say(OWNER, `/allow ${STRANGER}`)).toEqual([`Allowed ${STRANGER}.`]);
    expect(await say(STRANGER, "/steer now")).toEqual(["Only the owner can use /steer."]);
    expect(await say(STRANGER, "/use bob")).toEqual(["Now talking to bob."]);
    stack!.fake.script("openai", { text: "b" }, { text: "a" }, { text: "b2" });
    expect(await say(STRANGER, "x")).toEqual(["[bob] b"]);
    expect(await say(OWNER, "y")).toEqual(["[alice] a"]);
    expect(await say(OWNER, "@bob z")).toEqual(["[bob] b2"]);
    expect(dc!.typing).toContain(`dm-${OWNER}`);
    expect((await channelRow(stack!.meshUrl, "discord"))?.owner).toBe(OWNER);
  }, 30_000);

  it("splits a 10,000-character reply within 2000, never pings @everyone, and waits out a 429", async () => {
    await pairedFleet();
    const long = `@everyone ${"q".repeat(89)}\n`.repeat(100);
    stack!.fake.script("openai", { text: long, usage: { input: 10, output: 2500 } });
    dc!.rateLimitNext(1);
    const chunks = await say(OWNER, "long", 6);
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(2000);
    expect(chunks.join("").trimEnd()).toBe(`[alice] ${long}`.trimEnd());
    expect(dc!.posts.every((p) => JSON.stringify(p.allowed_mentions) === '{"parse":[]}')).toBe(true);
    const sends = dc!.rest.filter((r) => r.method === "POST" && r.path.endsWith("/messages"));
    expect(sends.length).toBe(1 + 6 + 1); // the pairing reply, six chunks, one refused attempt
  }, 30_000);

  it("resumes the gateway after a drop, and the token travels only in REST headers and IDENTIFY/RESUME", async () => {
    await pairedFleet();
    expect(dc!.gateways).toEqual(["/?v=10&encoding=json"]); // JSON, no transport compression
    const tunnels = proxy!.tunnels();
    dc!.dropConnections();
    await waitFor("resumed", async () => (dc!.resumes >= 1 ? true : undefined));
    // The resume went to READY's resume_gateway_url, through the relay and a new CONNECT as _mesh.
    expect(dc!.gateways.at(-1)).toBe("/resume?v=10&encoding=json");
    expect(proxy!.tunnels()).toBe(tunnels + 1);
    stack!.fake.script("openai", { text: "still here" });
    expect(await say(OWNER, "after the drop")).toEqual(["[alice] still here"]);
    expect(dc!.identifies.every((i) => i.token === dc!.token)).toBe(true);
    expect(JSON.stringify(await channelRow(stack!.meshUrl, "discord"))).not.toContain(dc!.token);
    expect(stack!.fake.requests.map((r) => r.body).join("")).not.toContain(dc!.token);
  });

  it("refuses a gateway URL on a host not on the mesh's Discord allowlist, and says so in status", async () => {
    await fleet(undefined, "localhost"); // the proxy and the relay allow only 127.0.0.1:<port>
    const row = await waitFor("refusal in status", async () => {
      const r = await channelRow(stack!.meshUrl, "discord");
      return r?.detail?.includes("not on the mesh's Discord allowlist") ? r : undefined;
    });
    expect(row.state).not.toBe("connected");
    expect(dc!.gateways).toEqual([]);
    expect(dc!.identifies).toEqual([]);
  });

  it("shows a token Discord rejects in status, without the token", async () => {
    await fleet("bad.bad.badbadbadbadbadbadbad");
    const row = await waitForState(stack!.meshUrl, "discord", "token_rejected");
    expect(row.detail).toContain("rejected the bot token");
    expect(JSON.stringify(row)).not.toContain("badbadbad");
  });
});
