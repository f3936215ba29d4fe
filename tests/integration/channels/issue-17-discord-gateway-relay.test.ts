import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type RawData, WebSocket, WebSocketServer } from "ws";
import { MESH_EGRESS_ID } from "../../../services/common/ports.js";
import { agentToken } from "../../../services/common/tokens.js";
import { GatewayRelay } from "../../../services/mesh/modules/channels/discord-gateway-relay.js";
import { MASTER } from "../mesh/helpers.js";
import { type ChannelProxy, startChannelProxy } from "./helpers.js";

let gateway: WebSocketServer | undefined;
let proxy: ChannelProxy | undefined;
let relay: GatewayRelay | undefined;

afterEach(async () => {
  await relay?.close();
  await proxy?.close();
  for (const ws of gateway?.clients ?? []) ws.terminate();
  await new Promise((r) => (gateway ? gateway.close(r) : r(undefined)));
  gateway = relay = proxy = undefined;
});

/** A gateway double that echoes frames, and closes with the code a client asks for in a "close:<code>" text. */
async function setup(): Promise<{ port: number; seen: string[] }> {
  const seen: string[] = [];
  gateway = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  gateway.on("connection", (ws, req) => {
    seen.push(req.url ?? "");
    ws.on("message", (data: RawData, isBinary) => {
      const text = String(data);
      if (!isBinary && text.startsWith("close:")) return ws.close(Number(text.slice(6)), "asked to");
      ws.send(data, { binary: isBinary });
    });
  });
  await new Promise((r) => gateway!.once("listening", r));
  const port = (gateway.address() as AddressInfo).port;
  proxy = await startChannelProxy({ apis: {}, hosts: [`127.0.0.1:${port}`], secrets: {} });
  relay = new GatewayRelay({
    allowedHosts: [`127.0.0.1:${port}`],
    proxyUrl: proxy.url,
    proxyToken: agentToken(MASTER, MESH_EGRESS_ID),
    log: () => {},
  });
  await relay.start();
  return { port, seen };
}

const opened = (url: string) =>
  new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
  });
const next = (ws: WebSocket) =>
  new Promise<{ data: string; isBinary: boolean }>((r) =>
    ws.once("message", (data: RawData, isBinary) => r({ data: String(data), isBinary })),
  );
const closed = (ws: WebSocket) =>
  new Promise<{ code: number; reason: string }>((r) =>
    ws.once("close", (code, reason) => r({ code, reason: reason.toString() })),
  );

describe("Discord gateway relay (issue #17)", () => {
  it("relays text and binary frames and close codes through one CONNECT tunnel as _mesh", async () => {
    const { port, seen } = await setup();
    const before = proxy!.tunnels();
    const ws = await opened(`${relay!.alias(`ws://127.0.0.1:${port}`)}?v=10&encoding=json`);
    expect(seen).toEqual(["/?v=10&encoding=json"]);
    expect(proxy!.tunnels()).toBe(before + 1);
    ws.send('{"op":1,"d":null}');
    expect(await next(ws)).toEqual({ data: '{"op":1,"d":null}', isBinary: false });
    ws.send(Buffer.from([1, 2, 3]));
    expect(await next(ws)).toEqual({ data: "\u0001\u0002\u0003", isBinary: true });
    const end = closed(ws);
    ws.send("close:4004");
    expect(await end).toEqual({ code: 4004, reason: "asked to" });
  });

  it("passes the client's close code to the gateway", async () => {
    const { port } = await setup();
    const ws = await opened(`${relay!.alias(`ws://127.0.0.1:${port}`)}?v=10&encoding=json`);
    const upstream = [...gateway!.clients][0]!;
    const end = closed(upstream);
    ws.close(4200, "resuming");
    expect(await end).toEqual({ code: 4200, reason: "resuming" });
  });

  it("refuses a gateway host not on the allowlist, an unknown path and compressed transport", async () => {
    const { port, seen } = await setup();
    const status = (url: string) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(url);
        ws.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
        ws.once("open", () => resolve(101));
        ws.once("error", () => {});
      });
    expect(await status(`${relay!.alias(`ws://localhost:${port}`)}?v=10&encoding=json`)).toBe(403);
    expect(await status(`${relay!.alias(`ws://127.0.0.1:${port}`).replace(/\/[^/]+$/, "/nope")}?v=10`)).toBe(
      404,
    );
    expect(
      await status(`${relay!.alias(`ws://127.0.0.1:${port}`)}?v=10&encoding=json&compress=zlib-stream`),
    ).toBe(400);
    expect(seen).toEqual([]);
  });
});
