import { afterEach, describe, expect, it } from "vitest";
import { type FakeTelegram, startFakeTelegram } from "../../fakes/telegram/index.js";
import { type Stack, startStack, waitFor } from "../agent/mesh-stack.js";
import { type ChannelProxy, channelRow, pairCode as pairTelegram, startChannelProxy } from "./helpers.js";

let tg: FakeTelegram | undefined;
let stack: Stack | undefined;
let proxy: ChannelProxy | undefined;

afterEach(async () => {
  await stack?.close();
  await proxy?.close();
  proxy = undefined;
  await tg?.close();
  stack = undefined;
  tg = undefined;
});

const channels = async () => [(await channelRow(stack!.meshUrl, "telegram"))!];
const pairCode = () => pairTelegram(stack!.meshUrl, "telegram");

async function fleet(token?: string): Promise<void> {
  tg = await startFakeTelegram();
  const secret = token ?? tg.token;
  // The proxy holds the bot token; the mesh gets none (no channelSecret).
  proxy = await startChannelProxy({ apis: { _telegram: tg.url }, secrets: { TELEGRAM_BOT_TOKEN: secret } });
  stack = await startStack({ alice: {}, bob: {} }, [], {
    channels: { telegram: { enabled: true, api_root: tg.url } },
    proxyUrl: proxy.url,
  });
}

/** The user writes; resolves with the next `count` messages the bot sends to that user. */
async function say(user: number, text: string, count = 1): Promise<string[]> {
  const before = tg!.to(user).length;
  tg!.userSays(user, text);
  await waitFor(`${count} replies to "${text.slice(0, 30)}"`, async () =>
    tg!.to(user).length >= before + count ? true : undefined,
  );
  return tg!.to(user).slice(before);
}

const OWNER = 1001;
const STRANGER = 2002;

async function pairedFleet(): Promise<void> {
  await fleet();
  await waitFor("telegram connected", async () =>
    (await channels())[0]?.state === "connected" ? true : undefined,
  );
  const code = await pairCode();
  expect(await say(OWNER, `/start ${code}`)).toEqual([expect.stringContaining("Paired: you are the owner")]);
}

describe("Telegram channel through the real mesh and real agents", () => {
  it("pairs the owner with the one-time code: a wrong code is refused, the right one burnt after use", async () => {
    await fleet();
    await waitFor("connected", async () => ((await channels())[0]?.state === "connected" ? true : undefined));
    const code = await pairCode();
    expect(await pairCode()).toBe(code); // shown again while pending

    expect(await say(OWNER, "/start WRONG234")).toEqual(["That pairing code is wrong or has expired."]);
    expect((await channels())[0]?.owner).toBeNull();

    expect((await say(OWNER, `/start ${code}`))[0]).toContain("Paired: you are the owner");
    expect((await channels())[0]).toMatchObject({ owner: String(OWNER), pending_codes: 0 });

    // The code is burnt: someone else sending it is a stranger with a wrong code.
    expect(await say(STRANGER, `/start ${code}`)).toEqual(["That pairing code is wrong or has expired."]);
    expect((await channels())[0]?.owner).toBe(String(OWNER));
  });

  it("refuses a stranger (telling them their id) until the owner allows them; chat text reaches the model as untrusted", async () => {
    await pairedFleet();
    const refused = await say(STRANGER, "hello?");
    expect(refused).toEqual([
      `You are not allowed to use this bot. Your user id is ${STRANGER}; ask the owner to send /allow ${STRANGER}.`,
    ]);
    const modelCalls = stack!.fake.requests.length;

    expect(await say(OWNER, `/allow ${STRANGER}`)).toEqual([`Allowed ${STRANGER}.`]);
    stack!.fake.script("openai", { text: "hi stranger" });
    expect(await say(STRANGER, "hello again")).toEqual(["[alice] hi stranger"]);
    expect(stack!.fake.requests.length).toBe(modelCalls + 1);
    const prompt = stack!.fake.requests.at(-1)!.body;
    expect(prompt).toContain(`untrusted message from telegram user ${STRANGER}`);
    expect(prompt).toContain("hello again");
    expect(tg!.actions).toContainEqual({ chat_id: String(STRANGER), action: "typing" });
  });

  it("/use switches only that user's agent; @agent reaches another agent for one message", async () => {
    await pairedFleet();
    await say(OWNER, `/allow ${STRANGER}`);
    expect(await say(STRANGER, "/use bob")).toEqual(["Now talking to bob."]);
    stack!.fake.script("openai", { text: "bob here" });
    expect(await say(STRANGER, "who are you?")).toEqual(["[bob] bob here"]);
    stack!.fake.script("openai", { text: "alice here" });
    expect(await say(OWNER, "who are you?")).toEqual(["[alice] alice here"]);
    stack!.fake.script("openai", { text: "bob once" });
    expect(await say(OWNER, "@bob just this once")).toEqual(["[bob] bob once"]);
    expect(await say(OWNER, "/use nobody")).toEqual(['No agent "nobody" here. Agents: alice, bob']);
  });

  it("refuses owner-only commands to others and never sends an empty reply", async () => {
    await pairedFleet();
    await say(OWNER, `/allow ${STRANGER}`);
    for (const cmd of ["/allow 3", "/revoke 1001", "/paired", "/steer stop", "/broadcast hi", "/reset"]) {
      const name = cmd.split(" ")[0]!.slice(1);
      expect(await say(STRANGER, cmd)).toEqual([`Only the owner can use /${name}.`]);
    }
    expect(await say(OWNER, "/paired")).toEqual([`${OWNER} (owner)\n${STRANGER} (allowed)`]);
    stack!.fake.script("openai", { text: "   " }, { text: "after the empty one" });
    tg!.userSays(OWNER, "say nothing");
    expect(await say(OWNER, "now say something")).toEqual(["[alice] after the empty one"]);
  });

  it("splits a 10,000-character reply on line boundaries within 4096 UTF-16 units, in order", async () => {
    await pairedFleet();
    const line = `${"x".repeat(94)} 😀🎉\n`; // 100 UTF-16 units: emoji are surrogate pairs
    const long = line.repeat(100);
    expect(long.length).toBe(10_000);
    // Scripted usage: the fake would otherwise cut the text at the agent's max_tokens.
    stack!.fake.script("openai", { text: long, usage: { input: 10, output: 2500 } });
    const chunks = await say(OWNER, "write a lot", 3);
    expect(chunks.length).toBe(3);
    for (const c of chunks) {
      expect(c.length).toBeLessThanOrEqual(4096);
      expect(c).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
    }
    expect(chunks.slice(0, -1).every((c) => c.endsWith("\n"))).toBe(true);
    expect(chunks.join("").trimEnd()).toBe(`[alice] ${long}`.trimEnd());
  });

  it("honours a platform 429: the refused chunk is re-sent after retry_after, and nothing is lost", async () => {
    await pairedFleet();
    tg!.rateLimitNext(1, 1);
    stack!.fake.script("openai", { text: "after the flood wait" });
    expect(await say(OWNER, "hi")).toEqual(["[alice] after the flood wait"]);
    const sends = tg!.calls.filter((c) => c.method === "sendMessage");
    // The paired reply, the refused attempt, then the same text again.
    expect(sends.slice(-2).map((c) => c.body.text)).toEqual([
      "[alice] after the flood wait",
      "[alice] after the flood wait",
    ]);
  });

  it("issue 17: the proxy writes the bot token into the path; the mesh, its status, the model and the logs never see it", async () => {
    await pairedFleet();
    stack!.fake.script("openai", { text: "proxied" });
    expect(await say(OWNER, "hello through the proxy")).toEqual(["[alice] proxied"]);
    // The fake Bot API only answers /bot<its token>/…: every call arrived with the token in the path.
    expect(tg!.calls.map((c) => c.method)).toEqual(
      expect.arrayContaining(["getMe", "getUpdates", "sendMessage"]),
    );
    const seen = [
      JSON.stringify(await channelRow(stack!.meshUrl, "telegram")),
      JSON.stringify(stack!.fake.requests),
      proxy!.logs.join("\n"),
    ].join("\n");
    expect(seen).not.toContain(tg!.token);
    expect(seen).not.toContain(tg!.token.split(":")[1]);
  });

  it("shows a token the platform rejects in status, without the token", async () => {
    await fleet("999999999:AAWrongWrongWrongWrongWrongWrongWrong");
    const row = await waitFor("token rejected", async () => {
      const r = (await channels())[0];
      return r?.state === "token_rejected" ? r : undefined;
    });
    expect(row.detail).toContain("rejected the bot token");
    expect(JSON.stringify(row)).not.toContain("AAWrong");
    expect(tg!.calls.map((c) => c.method)).not.toContain("getUpdates");
  });
});
