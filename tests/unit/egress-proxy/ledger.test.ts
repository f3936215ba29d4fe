import { afterEach, describe, expect, test } from "vitest";
import { cooldownFor } from "../../../services/egress-proxy/health/policy.js";
import { HealthTracker } from "../../../services/egress-proxy/health/tracker.js";
import { costOf, PriceBook, worstCaseCost } from "../../../services/egress-proxy/pricing/price.js";
import { DEFAULT_UNKNOWN_PRICE } from "../../../services/egress-proxy/pricing/table.js";
import { LedgerStore, toNusd } from "../../../services/egress-proxy/store/ledger-store.js";

const T0 = Date.parse("2026-03-31T23:59:00Z");
const zero = { inputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 0 };
let stores: LedgerStore[] = [];
const open = (path = ":memory:", now = T0) => {
  const s = new LedgerStore(path, now);
  stores.push(s);
  return s;
};
afterEach(() => {
  for (const s of stores) s.close();
  stores = [];
});

const reserve = (s: LedgerStore, usd: number, now = T0, daily = 1, monthly = 10) =>
  s.reserve({
    agent: "a",
    provider: "openai",
    model: "openai/m",
    route: "x",
    reserveNusd: toNusd(usd),
    dailyLimitNusd: toNusd(daily),
    monthlyLimitNusd: toNusd(monthly),
    now,
  });

describe("pricing", () => {
  test("dated model ids use the longest built-in prefix; overrides win", () => {
    const book = new PriceBook({ "openai/gpt-4o": { input_per_mtok: 1, output_per_mtok: 2 } });
    expect(book.lookup("openai/gpt-4o-mini-2024-07-18")).toMatchObject({
      source: "builtin",
      price: { input_per_mtok: 0.15 },
    });
    expect(book.lookup("openai/gpt-4o")).toMatchObject({ source: "override", price: { input_per_mtok: 1 } });
  });
  test("an unknown model is charged the conservative default and warned about once", () => {
    const warned: string[] = [];
    const book = new PriceBook({}, (m) => warned.push(m));
    expect(book.lookup("compat/mystery").price).toBe(DEFAULT_UNKNOWN_PRICE);
    book.lookup("compat/mystery");
    expect(warned).toEqual(["compat/mystery"]);
  });
  test("cached input is charged at the cached rate, not on top", () => {
    const price = { input_per_mtok: 2, output_per_mtok: 8, cached_input_per_mtok: 0.5 };
    expect(
      costOf({ ...zero, inputTokens: 1_000_000, cachedInputTokens: 400_000, outputTokens: 1_000_000 }, price),
    ).toBeCloseTo(1.2 + 0.2 + 8);
    expect(worstCaseCost(1_000_000, 1_000_000, price)).toBeCloseTo(10);
  });
});

describe("ledger store", () => {
  test("reserve refuses past the daily limit counting spent AND in-flight reservations", () => {
    const s = open();
    expect(reserve(s, 0.4).ok).toBe(true);
    expect(reserve(s, 0.4).ok).toBe(true);
    expect(reserve(s, 0.4)).toMatchObject({
      ok: false,
      reason: "budget",
      period: "daily",
      reservedNusd: toNusd(0.8),
    });
  });
  test("settle moves the reservation to the actual cost exactly once", () => {
    const s = open();
    const r = reserve(s, 0.9);
    if (!r.ok) throw new Error("refused");
    const settlement = {
      id: r.id,
      costNusd: toNusd(0.1),
      status: 200,
      usage: zero,
      usageSource: "reported" as const,
      priceSource: "builtin",
      errorCode: null,
      latencyMs: 1,
    };
    expect(s.settle(settlement)).toBe(true);
    expect(s.settle(settlement)).toBe(false);
    expect(s.window("a", "d:2026-03-31")).toEqual({ spentNusd: toNusd(0.1), reservedNusd: 0 });
    expect(reserve(s, 0.9).ok).toBe(true);
  });
  test("the monthly window refuses even when the day is fresh", () => {
    const s = open();
    expect(reserve(s, 0.9, T0, 1, 1).ok).toBe(true);
    expect(reserve(s, 0.5, T0 - 86_400_000, 1, 1)).toMatchObject({ ok: false, period: "monthly" });
  });
  test("a crash leaves no open call: reopening charges open reservations in full", () => {
    const path = `/tmp/ol-ledger-${process.pid}-${Date.now()}.db`;
    const s = open(path);
    expect(reserve(s, 0.3).ok).toBe(true);
    s.freeze("a", T0);
    s.close();
    const again = open(path);
    expect(again.window("a", "d:2026-03-31")).toEqual({ spentNusd: toNusd(0.3), reservedNusd: 0 });
    expect(again.recentCalls(1)[0]).toMatchObject({ state: "settled", usage_source: "crash" });
    expect(again.isFrozen("a")).toBe(true);
    expect(reserve(again, 0.01)).toEqual({ ok: false, reason: "frozen" });
  });
});

describe("model health", () => {
  test.each([
    [429, 3600],
    [402, 3600],
    [401, 3600],
    [403, 3600],
    [500, 60],
    [503, 60],
    [400, 0],
    [404, 0],
  ])("HTTP %i cools the model for %i s", (status, seconds) => {
    expect(cooldownFor({ kind: "status", status }, 1).seconds).toBe(seconds);
  });
  test("server errors and timeouts escalate 60 → 300 → 1500 s", () => {
    expect([1, 2, 3, 4].map((n) => cooldownFor({ kind: "timeout" }, n).seconds)).toEqual([
      60, 300, 1500, 1500,
    ]);
  });
  test("the tracker persists cooldowns and a success after expiry resets the streak", () => {
    let now = T0;
    const s = open();
    const h = new HealthTracker(s, () => now);
    h.record("openai/m", { kind: "status", status: 500 });
    expect(h.cooling("openai/m")?.untilMs).toBe(T0 + 60_000);
    expect(new HealthTracker(s, () => now).cooling("openai/m")).toBeDefined();
    now += 61_000;
    h.record("openai/m", { kind: "connection" });
    expect(h.cooling("openai/m")?.untilMs).toBe(now + 300_000);
    now += 301_000;
    h.record("openai/m", { kind: "status", status: 200 });
    h.record("openai/m", { kind: "status", status: 502 });
    expect(h.cooling("openai/m")?.untilMs).toBe(now + 60_000);
    h.record("openai/x", { kind: "status", status: 400 });
    expect(h.cooling("openai/x")).toBeUndefined();
  });
});
