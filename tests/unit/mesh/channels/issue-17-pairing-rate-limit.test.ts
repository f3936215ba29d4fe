import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { ChannelIngress, PAIRING_LIMITS } from "../../../../services/mesh/modules/channels/ingress.js";
import { ChannelStore } from "../../../../services/mesh/modules/channels/store.js";
import { migrate } from "../../../../services/mesh/store/migrations/index.js";

/** The real ingress and store (SQLite in memory), a settable clock, and what each chat was sent. */
function bot() {
  const db = new Database(":memory:");
  migrate(db);
  const store = new ChannelStore(db);
  let now = 1_000_000;
  let id = 0;
  const sent: { chat: string; text: string }[] = [];
  const events: string[] = [];
  const ingress = new ChannelIngress({
    channel: "telegram",
    store,
    now: () => now,
    agents: ["alice"],
    defaultAgent: "alice",
    actions: {
      chat: async () => "ok",
      steer: async () => {},
      broadcast: async () => 0,
      reset: async () => {},
      costs: async () => "",
      status: async () => "",
    },
    reply: async (chat, text) => void sent.push({ chat, text }),
    typing: async () => {},
    maxInboundChars: 16_000,
    log: (event) => void events.push(event),
  });
  const say = async (user: string, text: string) => {
    await ingress.handle({ channel: "telegram", messageId: String(++id), userId: user, chatId: user, text });
    return sent.at(-1)?.text;
  };
  return { store, say, events, advance: (ms: number) => (now += ms), now: () => now };
}

describe("issue 17: wrong pairing codes are rate limited", () => {
  it("after 5 wrong codes a user is refused unchecked (even the right code) until the window has moved", async () => {
    const b = bot();
    const code = b.store.issueCode("telegram", b.now())!.code;
    for (let i = 0; i < PAIRING_LIMITS.perUser; i++)
      expect(await b.say("666", "/start WRONG234")).toBe("That pairing code is wrong or has expired.");
    expect(await b.say("666", `/start ${code}`)).toMatch(
      /^Too many wrong pairing codes; try again in 15 minute/,
    );
    expect(b.store.owner("telegram")).toBeUndefined();
    expect(b.events).toContain("channel.pairing_rate_limited");
    // Another user is not held back by this one's guesses.
    expect(await b.say("777", "/start WRONG234")).toBe("That pairing code is wrong or has expired.");
    b.advance(PAIRING_LIMITS.windowMs);
    expect(await b.say("666", `/start ${code}`)).toContain("Paired: you are the owner");
  });

  it("bounds guessing across many user ids: 20 wrong codes per channel in the window", async () => {
    const b = bot();
    const code = b.store.issueCode("telegram", b.now())!.code;
    for (let i = 0; i < PAIRING_LIMITS.perChannel; i++) await b.say(`u${i}`, "/start WRONG234");
    expect(await b.say("owner", `/start ${code}`)).toMatch(/^Too many wrong pairing codes/);
    b.advance(PAIRING_LIMITS.windowMs);
    expect(await b.say("owner", `/start ${code}`)).toContain("Paired: you are the owner");
  });
});
