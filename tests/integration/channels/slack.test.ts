import { afterEach, describe, expect, it } from "vitest";
import { type FakeSlack, startFakeSlack } from "../../fakes/slack/index.js";
import { type Stack, startStack, waitFor } from "../agent/mesh-stack.js";
import { type ChannelProxy, channelRow, pairCode, startChannelProxy, waitForState } from "./helpers.js";

let slack: FakeSlack | undefined;
let stack: Stack | undefined;
let proxy: ChannelProxy | undefined;

afterEach(async () => {
  await stack?.close();
  await proxy?.close();
  proxy = undefined;
  await slack?.close();
  stack = undefined;
  slack = undefined;
});

async function fleet(mode: "socket" | "http", botToken?: string): Promise<void> {
  slack = await startFakeSlack();
  const secrets: Record<string, string> = {
    SLACK_BOT_TOKEN: botToken ?? slack.botToken,
    SLACK_APP_TOKEN: slack.appToken,
    SLACK_SIGNING_SECRET: slack.signingSecret,
  };
  // The proxy holds both tokens and tunnels the Socket Mode WebSocket; the mesh keeps the signing secret.
  proxy = await startChannelProxy({
    apis: mode === "socket" ? { _slack: slack.apiUrl, _slack_app: slack.apiUrl } : { _slack: slack.apiUrl },
    hosts: mode === "socket" ? [new URL(slack.apiUrl).host] : [],
    secrets: { SLACK_BOT_TOKEN: secrets.SLACK_BOT_TOKEN!, SLACK_APP_TOKEN: secrets.SLACK_APP_TOKEN! },
  });
  stack = await startStack({ alice: {}, bob: {} }, [], {
    channels: { slack: { enabled: true, mode, api_root: slack.apiUrl } },
    channelSecret: (c) => (c === "SLACK_SIGNING_SECRET" ? secrets[c] : undefined),
    proxyUrl: proxy.url,
  });
  slack.eventsUrl = `${stack.meshUrl}/webhook/slack`;
}

const dm = (user: string) => `D${user.slice(1)}`;

/** A user DMs the bot (Socket Mode envelope or signed HTTP event); resolves with the next `count` bot posts. */
async function say(mode: "socket" | "http", user: string, text: string, count = 1): Promise<string[]> {
  const before = slack!.to(dm(user)).length;
  if (mode === "socket") await slack!.userSays(user, text);
  else expect(await slack!.postEvent(user, text)).toBe(200);
  await waitFor(`${count} posts for "${text.slice(0, 30)}"`, async () =>
    slack!.to(dm(user)).length >= before + count ? true : undefined,
  );
  return slack!.to(dm(user)).slice(before);
}

const OWNER = "U0OWNER1";
const STRANGER = "U0STRNG2";

describe.each(["socket", "http"] as const)(
  "Slack channel (%s mode) through the real mesh and real agents",
  (mode) => {
    it("pairs, refuses strangers until allowed, /use per user, @agent, owner-only commands", async () => {
      await fleet(mode);
      await waitForState(stack!.meshUrl, "slack", "connected");
      const code = await pairCode(stack!.meshUrl, "slack");
      expect(await say(mode, OWNER, "/start WRONG234")).toEqual([
        "That pairing code is wrong or has expired.",
      ]);
      expect((await say(mode, OWNER, `/start ${code}`))[0]).toContain("Paired");
      expect(await say(mode, STRANGER, `/start ${code}`)).toEqual([
        "That pairing code is wrong or has expired.",
      ]);
      expect((await say(mode, STRANGER, "hi"))[0]).toContain(`Your user id is T0FAKE:${STRANGER}`);
      expect(await say(mode, OWNER, `/allow T0FAKE:${STRANGER}`)).toEqual([`Allowed T0FAKE:${STRANGER}.`]);
      expect(await say(mode, STRANGER, "/broadcast all")).toEqual(["Only the owner can use /broadcast."]);
      expect(await say(mode, STRANGER, "/use bob")).toEqual(["Now talking to bob."]);
      stack!.fake.script("openai", { text: "b" }, { text: "a" }, { text: "b2" });
      expect(await say(mode, STRANGER, "x")).toEqual(["[bob] b"]);
      expect(await say(mode, OWNER, "y")).toEqual(["[alice] a"]);
      expect(await say(mode, OWNER, "@bob z")).toEqual(["[bob] b2"]);
      expect((await channelRow(stack!.meshUrl, "slack"))?.owner).toBe(`T0FAKE:${OWNER}`);
      if (mode === "socket") expect(slack!.acks.length).toBeGreaterThanOrEqual(10); // every envelope acked
    }, 40_000);

    it("splits a 10,000-character reply within 4000 and waits out a 429's Retry-After", async () => {
      await fleet(mode);
      await waitForState(stack!.meshUrl, "slack", "connected");
      await say(mode, OWNER, `/start ${await pairCode(stack!.meshUrl, "slack")}`);
      const long = `${"z".repeat(99)}\n`.repeat(100);
      stack!.fake.script("openai", { text: long, usage: { input: 10, output: 2500 } });
      slack!.rateLimitNext(1);
      const chunks = await say(mode, OWNER, "long", 3);
      for (const c of chunks) expect(c.length).toBeLessThanOrEqual(4000);
      expect(chunks.join("").trimEnd()).toBe(`[alice] ${long}`.trimEnd());
      expect(slack!.calls.filter((c) => c.method === "chat.postMessage").length).toBe(1 + 3 + 1);
    }, 30_000);

    it("shows a token Slack rejects in status, without the token", async () => {
      await fleet(mode, "xoxb-wrong-wrong-wrong-wrong");
      const row = await waitForState(stack!.meshUrl, "slack", "token_rejected");
      expect(row.detail).toContain("invalid_auth");
      expect(JSON.stringify(row)).not.toContain("xoxb-wrong");
    });
  },
);

describe("Slack HTTP Events security", () => {
  it("refuses unsigned, wrongly signed and stale deliveries with 401; answers url_verification only when signed", async () => {
    await fleet("http");
    await waitForState(stack!.meshUrl, "slack", "connected");
    expect(await slack!.postEvent(OWNER, "hi", { unsigned: true })).toBe(401);
    expect(await slack!.postEvent(OWNER, "hi", { secret: "not-the-secret" })).toBe(401);
    expect(await slack!.postEvent(OWNER, "hi", { ts: Math.floor(Date.now() / 1000) - 6 * 60 })).toBe(401);
    const challenge = JSON.stringify({
      type: "url_verification",
      token: "x",
      challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
    });
    const ok = await slack!.postSigned(challenge);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P");
    const stale = await slack!.postSigned(challenge, { ts: Math.floor(Date.now() / 1000) - 600 });
    expect(stale.status).toBe(401);
    expect(slack!.posts).toEqual([]);
  });

  it("a redelivered event_id is acknowledged but handled once", async () => {
    await fleet("http");
    await waitForState(stack!.meshUrl, "slack", "connected");
    await say("http", OWNER, `/start ${await pairCode(stack!.meshUrl, "slack")}`);
    stack!.fake.script("openai", { text: "once" });
    const before = stack!.fake.requests.length;
    expect(await slack!.postEvent(OWNER, "hello", { eventId: "EvSAME" })).toBe(200);
    await waitFor("reply", async () => (slack!.to(dm(OWNER)).includes("[alice] once") ? true : undefined));
    expect(await slack!.postEvent(OWNER, "hello", { eventId: "EvSAME" })).toBe(200);
    stack!.fake.script("openai", { text: "next" });
    expect(await say("http", OWNER, "next")).toEqual(["[alice] next"]);
    expect(stack!.fake.requests.length).toBe(before + 2);
  });
});
