import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { WebhookStore } from "../../../services/mesh/modules/orchestration/webhook/store.js";
import {
  signGithub,
  signStandard,
  verifyWebhook,
} from "../../../services/mesh/modules/orchestration/webhook/verify.js";
import { migrate } from "../../../services/mesh/store/migrations/index.js";

const secret = `whsec_${Buffer.from("0123456789abcdef0123456789abcdef").toString("base64")}`;
const now = Date.UTC(2026, 0, 1, 12);
const nowS = now / 1000;
const body = Buffer.from('{"event":"push","repo":"myproject"}');
const std = (ts: number, b = body, s = secret) => ({
  "webhook-id": "msg_1",
  "webhook-timestamp": String(ts),
  "webhook-signature": signStandard(s, "msg_1", ts, b),
});

describe("webhook signatures", () => {
  it("accepts a valid Standard Webhooks signature, also among several (rotation)", () => {
    expect(verifyWebhook({ headers: std(nowS), body, secrets: [secret], nowMs: now })).toEqual({
      ok: true,
      scheme: "standard",
      deliveryId: "msg_1",
    });
    const h = std(nowS);
    h["webhook-signature"] = `v1,AAAA ${h["webhook-signature"]}`;
    expect(verifyWebhook({ headers: h, body, secrets: ["old", secret], nowMs: now }).ok).toBe(true);
  });

  it.each([
    ["wrong secret", std(nowS, body, "whsec_d3Jvbmc="), body],
    ["missing signature", {}, body],
    ["re-serialized body", std(nowS), Buffer.from('{"event": "push", "repo": "myproject"}')],
  ])("rejects %s", (_name, headers, b) => {
    expect(verifyWebhook({ headers, body: b, secrets: [secret], nowMs: now }).ok).toBe(false);
  });

  it("timestamp tolerance is ±300 s", () => {
    expect(verifyWebhook({ headers: std(nowS - 301), body, secrets: [secret], nowMs: now })).toMatchObject({
      ok: false,
      reason: expect.stringContaining("300 s"),
    });
    expect(verifyWebhook({ headers: std(nowS + 301), body, secrets: [secret], nowMs: now }).ok).toBe(false);
    expect(verifyWebhook({ headers: std(nowS - 299), body, secrets: [secret], nowMs: now }).ok).toBe(true);
  });

  it("GitHub style: valid, invalid, malformed", () => {
    const ok = { "x-hub-signature-256": signGithub("gh-secret", body), "x-github-delivery": "d-1" };
    expect(verifyWebhook({ headers: ok, body, secrets: ["gh-secret"], nowMs: now })).toEqual({
      ok: true,
      scheme: "github",
      deliveryId: "d-1",
    });
    expect(
      verifyWebhook({
        headers: { "x-hub-signature-256": signGithub("other", body) },
        body,
        secrets: ["gh-secret"],
        nowMs: now,
      }).ok,
    ).toBe(false);
    expect(
      verifyWebhook({
        headers: { "x-hub-signature-256": "sha256=zz" },
        body,
        secrets: ["gh-secret"],
        nowMs: now,
      }).ok,
    ).toBe(false);
  });

  it("refuses bodies over 1 MiB and hooks without a secret", () => {
    const big = Buffer.alloc(1024 * 1024 + 1, 97);
    expect(
      verifyWebhook({ headers: std(nowS, big), body: big, secrets: [secret], nowMs: now }),
    ).toMatchObject({ ok: false, reason: "body too large" });
    expect(verifyWebhook({ headers: std(nowS), body, secrets: [], nowMs: now }).ok).toBe(false);
  });
});

describe("replay dedupe store", () => {
  let db: Database.Database | undefined;
  afterEach(() => db?.close());

  it("claims an id once, forgets after the TTL, and stays bounded", () => {
    db = new Database(":memory:");
    migrate(db);
    const store = new WebhookStore(db, { ttl_ms: 1000, max_rows: 3 });
    expect(store.claim("h", "a", 0)).toBe(true);
    expect(store.claim("h", "a", 10)).toBe(false);
    expect(store.claim("other", "a", 10)).toBe(true);
    for (const id of ["b", "c", "d", "e"]) store.claim("h", id, 20);
    expect(
      (db.prepare("SELECT COUNT(*) AS n FROM webhook_deliveries WHERE hook='h'").get() as { n: number }).n,
    ).toBe(3);
    store.prune(5000);
    expect(store.claim("h", "e", 5000)).toBe(true);
  });

  it("rotation bumps the generation and keeps the previous one valid for a grace period", () => {
    db = new Database(":memory:");
    migrate(db);
    const store = new WebhookStore(db);
    expect(store.generation("h").generation).toBe(1);
    expect(store.rotate("h", 100, 50)).toBe(2);
    expect(store.generation("h")).toEqual({ generation: 2, previous_valid_until: 150 });
  });

  it("forgets the rotation of a hook that was removed, so re-adding it starts at generation 1", () => {
    db = new Database(":memory:");
    migrate(db);
    const store = new WebhookStore(db);
    store.rotate("crm", 100, 50);
    store.rotate("kept", 100, 50);
    expect(store.forgetOthers(["kept"])).toBe(1);
    expect(store.generation("crm")).toEqual({ generation: 1, previous_valid_until: null });
    expect(store.generation("kept").generation).toBe(2);
  });
});
