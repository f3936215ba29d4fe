import { afterEach, describe, expect, it } from "vitest";
import { type FakeWhatsApp, startFakeWhatsApp } from "../../fakes/whatsapp/index.js";
import { type Stack, startStack, waitFor } from "../agent/mesh-stack.js";
import { type ChannelProxy, channelRow, pairCode, startChannelProxy, waitForState } from "./helpers.js";

let wa: FakeWhatsApp | undefined;
let stack: Stack | undefined;
let proxy: ChannelProxy | undefined;
const VERIFY = "verify-token-for-tests-0123";

afterEach(async () => {
  await stack?.close();
  await proxy?.close();
  proxy = undefined;
  await wa?.close();
  stack = undefined;
  wa = undefined;
});

async function fleet(accessToken?: string): Promise<void> {
  wa = await startFakeWhatsApp();
  const secrets: Record<string, string> = {
    WHATSAPP_ACCESS_TOKEN: accessToken ?? wa.accessToken,
    WHATSAPP_APP_SECRET: wa.appSecret,
    WHATSAPP_VERIFY_TOKEN: VERIFY,
  };
  // The proxy injects the access token; the mesh keeps what verifies inbound webhooks.
  proxy = await startChannelProxy({
    apis: { _whatsapp: wa.url },
    secrets: { WHATSAPP_ACCESS_TOKEN: secrets.WHATSAPP_ACCESS_TOKEN! },
  });
  stack = await startStack({ alice: {}, bob: {} }, [], {
    channels: { whatsapp: { enabled: true, api_root: wa.url, phone_number_id: wa.phoneNumberId } },
    channelSecret: (c) => (c === "WHATSAPP_ACCESS_TOKEN" ? undefined : secrets[c]),
    proxyUrl: proxy.url,
    // The real pair rate is one message per user every 6 s; the spacing itself is asserted below.
    limits: { whatsapp_send_interval_ms: 200 },
  });
  wa.webhookUrl = `${stack.meshUrl}/webhook/whatsapp`;
}

async function say(user: string, text: string, count = 1): Promise<string[]> {
  const before = wa!.to(user).length;
  const { status } = await wa!.userSays(user, text);
  expect(status).toBe(200);
  await waitFor(`${count} replies to "${text.slice(0, 30)}"`, async () =>
    wa!.to(user).length >= before + count ? true : undefined,
  );
  return wa!.to(user).slice(before);
}

const OWNER = "15551230001";
const STRANGER = "15551230002";

async function pairedFleet(): Promise<void> {
  await fleet();
  await waitForState(stack!.meshUrl, "whatsapp", "connected");
  const code = await pairCode(stack!.meshUrl, "whatsapp");
  expect((await say(OWNER, `/start ${code}`))[0]).toContain("Paired: you are the owner");
}

describe("WhatsApp channel through the real mesh and real agents", () => {
  it("answers the verification challenge only with the right verify token", async () => {
    await fleet();
    const get = (token: string) =>
      fetch(`${wa!.webhookUrl}?hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=1158201444`);
    const right = await get(VERIFY);
    expect(right.status).toBe(200);
    expect(await right.text()).toBe("1158201444");
    const wrong = await get("guess");
    expect(wrong.status).toBe(403);
    expect(await wrong.text()).not.toContain("1158201444");
  });

  it("refuses unsigned and wrongly signed deliveries with 401, and handles a redelivered wamid once", async () => {
    await pairedFleet();
    const body = JSON.stringify({ object: "whatsapp_business_account", entry: [] });
    expect(await wa!.post(body, {})).toBe(401);
    expect(await wa!.post(body, { "x-hub-signature-256": `sha256=${"0".repeat(64)}` })).toBe(401);
    expect(await wa!.post(body, { "x-hub-signature-256": wa!.sign(`${body} `) })).toBe(401);
    const statusOnly = JSON.stringify({
      object: "whatsapp_business_account",
      entry: [
        { changes: [{ field: "messages", value: { statuses: [{ id: "wamid.x", status: "delivered" }] } }] },
      ],
    });
    expect(await wa!.post(statusOnly, { "x-hub-signature-256": wa!.sign(statusOnly) })).toBe(200);

    stack!.fake.script("openai", { text: "once" });
    const before = stack!.fake.requests.length;
    await wa!.userSays(OWNER, "hello", { id: "wamid.dup1" });
    await waitFor("reply", async () => (wa!.to(OWNER).includes("[alice] once") ? true : undefined));
    expect((await wa!.userSays(OWNER, "hello", { id: "wamid.dup1" })).status).toBe(200);
    stack!.fake.script("openai", { text: "next" });
    expect(await say(OWNER, "next one")).toEqual(["[alice] next"]);
    expect(stack!.fake.requests.length).toBe(before + 2); // the redelivery never reached a model
    expect(wa!.typing).toContain("wamid.dup1");
  });

  it("pairs, refuses strangers until allowed, /use per user, @agent, owner-only commands", async () => {
    await fleet();
    await waitForState(stack!.meshUrl, "whatsapp", "connected");
    const code = await pairCode(stack!.meshUrl, "whatsapp");
    expect(await say(OWNER, "/start NOTACODE")).toEqual(["That pairing code is wrong or has expired."]);
    expect((await say(OWNER, `/start ${code}`))[0]).toContain("Paired");
    expect(await say(STRANGER, `/start ${code}`)).toEqual(["That pairing code is wrong or has expired."]);
    expect((await say(STRANGER, "hi"))[0]).toContain(`Your user id is ${STRANGER}`);
    expect(await say(OWNER, `/allow ${STRANGER}`)).toEqual([`Allowed ${STRANGER}.`]);
    expect(await say(STRANGER, "/reset")).toEqual(["Only the owner can use /reset."]);
    expect(await say(STRANGER, "/use bob")).toEqual(["Now talking to bob."]);
    stack!.fake.script("openai", { text: "b" }, { text: "a" }, { text: "b2" });
    expect(await say(STRANGER, "x")).toEqual(["[bob] b"]);
    expect(await say(OWNER, "y")).toEqual(["[alice] a"]);
    expect(await say(OWNER, "@bob z")).toEqual(["[bob] b2"]);
    expect((await channelRow(stack!.meshUrl, "whatsapp"))?.owner).toBe(OWNER);
  }, 30_000);

  it("splits a 10,000-character reply within 4096 and re-sends a chunk refused by the pair rate limit", async () => {
    await pairedFleet();
    const long = `${"y".repeat(99)}\n`.repeat(100);
    stack!.fake.script("openai", { text: long, usage: { input: 10, output: 2500 } });
    wa!.rateLimitNext(1);
    const chunks = await say(OWNER, "long please", 3);
    expect(chunks.length).toBe(3);
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(4096);
    expect(chunks.join("").trimEnd()).toBe(`[alice] ${long}`.trimEnd());
    expect(wa!.rateLimited).toBe(1);
  });

  it("issue 17: a reply outside the 24-hour customer-service window is not sent, and status says why", async () => {
    await pairedFleet();
    const sentBefore = wa!.to(OWNER).length;
    // A delivery Meta retried for a day: the user wrote 25 hours ago, so free-form text may not go out.
    const { status } = await wa!.userSays(OWNER, "/agents", { sentAt: Date.now() - 25 * 3600_000 });
    expect(status).toBe(200);
    const row = await waitFor("the window refusal in status", async () => {
      const r = await channelRow(stack!.meshUrl, "whatsapp");
      return r?.detail?.includes("24-hour") ? r : undefined;
    });
    expect(row.state).toBe("connected");
    expect(row.detail).toContain(
      `last reply to ${OWNER} not sent: outside WhatsApp's 24-hour customer-service window`,
    );
    expect(wa!.to(OWNER).length).toBe(sentBefore);
    // When the user writes again the window is open again.
    expect(await say(OWNER, "/agents")).toEqual([expect.stringContaining("Agents: alice, bob")]);
  });

  it("shows a token the platform rejects in status, without the token", async () => {
    await fleet("EAAGwrongwrongwrongwrongwrong");
    const row = await waitForState(stack!.meshUrl, "whatsapp", "token_rejected");
    expect(row.detail).toContain("rejected the access token");
    expect(JSON.stringify(row)).not.toContain("EAAGwrong");
  });
});
