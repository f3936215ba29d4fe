import { describe, expect, it } from "vitest";
import {
  isGatewayInfoPath,
  rewriteGatewayFrame,
  rewriteGatewayInfo,
  upstreamUrl,
} from "../../../../services/mesh/modules/channels/discord-gateway-frames.js";

const alias = (real: string) => `ws://127.0.0.1:9/${encodeURIComponent(real)}`;

describe("Discord gateway relay rewrites (issue #17)", () => {
  it("aliases the url of GET /gateway(/bot) and keeps the rest of the answer", () => {
    const body = JSON.stringify({
      url: "wss://gateway.discord.gg",
      shards: 1,
      session_start_limit: { total: 1 },
    });
    expect(JSON.parse(rewriteGatewayInfo(body, alias)!)).toEqual({
      url: alias("wss://gateway.discord.gg"),
      shards: 1,
      session_start_limit: { total: 1 },
    });
    expect(rewriteGatewayInfo("not json", alias)).toBeUndefined();
    expect(rewriteGatewayInfo('{"shards":1}', alias)).toBeUndefined();
    expect(isGatewayInfoPath("/api/v10/gateway/bot")).toBe(true);
    expect(isGatewayInfoPath("/api/v10/gateway")).toBe(true);
    expect(isGatewayInfoPath("/api/v10/channels/1/messages")).toBe(false);
  });

  it("aliases READY's resume_gateway_url and leaves every other frame byte for byte", () => {
    const ready = JSON.stringify({
      op: 0,
      t: "READY",
      s: 1,
      d: { session_id: "abc", resume_gateway_url: "wss://gateway-us-east1-b.discord.gg" },
    });
    const out = JSON.parse(rewriteGatewayFrame(ready, alias)) as { t: string; d: Record<string, unknown> };
    expect(out.d).toEqual({
      session_id: "abc",
      resume_gateway_url: alias("wss://gateway-us-east1-b.discord.gg"),
    });
    expect(out.t).toBe("READY");
    const hello = '{"op":10,"d":{"heartbeat_interval":41250},"s":null,"t":null}';
    expect(rewriteGatewayFrame(hello, alias)).toBe(hello);
    // A user's message that merely mentions the field is not a READY payload: untouched.
    const msg = '{"op":0,"t":"MESSAGE_CREATE","d":{"content":"\\"resume_gateway_url\\""}}';
    expect(rewriteGatewayFrame(msg, alias)).toBe(msg);
    expect(rewriteGatewayFrame('{"resume_gateway_url": broken', alias)).toBe('{"resume_gateway_url": broken');
  });

  it("builds the upstream URL from the client's query, refusing encodings it cannot rewrite", () => {
    const q = (s: string) => new URLSearchParams(s);
    expect(String(upstreamUrl("wss://gateway.discord.gg", q("v=10&encoding=json")))).toBe(
      "wss://gateway.discord.gg/?v=10&encoding=json",
    );
    expect(upstreamUrl("wss://gateway.discord.gg", q("v=10&encoding=etf"))).toMatch(/encoding etf/);
    expect(upstreamUrl("wss://gateway.discord.gg", q("v=10&encoding=json&compress=zlib-stream"))).toMatch(
      /compression \(zlib-stream\)/,
    );
    expect(upstreamUrl("https://gateway.discord.gg", q("v=10"))).toMatch(/not ws/);
  });
});
