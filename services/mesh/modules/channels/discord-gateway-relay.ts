import { randomBytes } from "node:crypto";
import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Duplex } from "node:stream";
import { connect as tlsConnect } from "node:tls";
import { type RawData, WebSocket, WebSocketServer } from "ws";
import {
  compileHostPattern,
  findHostRule,
  type HostRule,
  normalizeHost,
} from "../../../common/host-rules.js";
import { rewriteGatewayFrame, upstreamUrl } from "./discord-gateway-frames.js";

export interface GatewayRelayOptions {
  /** host:port rules of the mesh's Discord allowlist; a gateway elsewhere is refused. */
  allowedHosts: readonly string[];
  /** The egress proxy (http://host:port) and the mesh's token at it. */
  proxyUrl: string;
  proxyToken: string;
  log: (level: "info" | "warn" | "error", msg: string) => void;
  /** Concurrent relayed connections (discord.js opens one per shard; a resume replaces it). */
  maxConnections?: number;
  /** Bytes queued towards a peer before the relay gives up on it (close 1013). */
  maxBufferedBytes?: number;
}

const MAX_TARGETS = 16;
const MAX_FRAME_BYTES = 16 * 1024 * 1024;
const CONNECT_TIMEOUT_MS = 30_000;

/**
 * A loopback WebSocket relay for Discord's gateway, because @discordjs/ws opens its socket with `ws` and
 * offers no proxy option (docs/decisions/channels.md "Discord's gateway through a loopback relay").
 * The adapter aliases each real gateway URL to `ws://127.0.0.1:<port>/<id>` (`alias`); for each client
 * connection the relay opens the real gateway through the egress proxy's CONNECT door as `_mesh`
 * (TLS with the gateway's name for wss) and copies frames both ways, aliasing READY's
 * `resume_gateway_url` so resumes come back here too.
 */
export class GatewayRelay {
  readonly #o: GatewayRelayOptions;
  readonly #rules: HostRule[];
  readonly #targets = new Map<string, string>();
  readonly #server: Server;
  readonly #wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: MAX_FRAME_BYTES,
  });
  readonly #open = new Set<WebSocket>();
  #pending = 0;
  #port = 0;

  constructor(o: GatewayRelayOptions) {
    this.#o = o;
    this.#rules = o.allowedHosts.map(compileHostPattern);
    this.#server = createServer((_req, res) => res.writeHead(426).end());
    this.#server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on("error", () => socket.destroy());
      void this.#upgrade(req, socket, head);
    });
  }

  async start(): Promise<void> {
    if (this.#port) return;
    await new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(0, "127.0.0.1", () => resolve());
    });
    this.#port = (this.#server.address() as AddressInfo).port;
  }

  /** Whether a gateway URL's host is on the allowlist. */
  allows(realUrl: string): boolean {
    let url: URL;
    try {
      url = new URL(realUrl);
    } catch {
      return false;
    }
    const port = Number(url.port || (url.protocol === "wss:" ? 443 : 80));
    return findHostRule(this.#rules, normalizeHost(url.hostname) ?? url.hostname, port) !== undefined;
  }

  /** The relay URL standing for a real gateway URL (remembered; the oldest of too many is forgotten). */
  readonly alias = (realUrl: string): string => {
    let id = [...this.#targets].find(([, real]) => real === realUrl)?.[0];
    if (!id) {
      id = randomBytes(8).toString("hex");
      this.#targets.set(id, realUrl);
      if (this.#targets.size > MAX_TARGETS) this.#targets.delete(this.#targets.keys().next().value!);
    }
    return `ws://127.0.0.1:${this.#port}/${id}`;
  };

  async close(): Promise<void> {
    for (const ws of this.#open) ws.terminate();
    this.#server.closeAllConnections();
    await new Promise<void>((r) => this.#server.close(() => r()));
  }

  async #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? "/", "ws://relay");
    const real = this.#targets.get(url.pathname.slice(1));
    if (!real) return reject(socket, 404, "unknown gateway");
    const target = upstreamUrl(real, url.searchParams);
    if (typeof target === "string") {
      this.#o.log("error", `discord gateway relay: ${target}`);
      return reject(socket, 400, target);
    }
    if (!this.allows(real)) {
      this.#o.log(
        "error",
        `discord gateway relay: refused ${target.host}: not on the mesh's Discord allowlist`,
      );
      return reject(socket, 403, "gateway host not allowed");
    }
    if (this.#open.size + this.#pending >= (this.#o.maxConnections ?? 4))
      return reject(socket, 503, "too many gateway connections");
    this.#pending++;
    let upstream: WebSocket;
    try {
      upstream = await this.#connect(target);
    } catch (error) {
      this.#o.log("warn", `discord gateway relay: ${error instanceof Error ? error.message : String(error)}`);
      return reject(socket, 502, "gateway unreachable");
    } finally {
      this.#pending--;
    }
    if (socket.destroyed) return void upstream.terminate();
    this.#wss.handleUpgrade(req, socket, head, (client) => this.#pair(client, upstream));
  }

  /** Opens the real gateway through the proxy's CONNECT door; resolves once its handshake is done. */
  async #connect(target: URL): Promise<WebSocket> {
    const port = Number(target.port || (target.protocol === "wss:" ? 443 : 80));
    const tunnel = await connectTunnel(this.#o.proxyUrl, this.#o.proxyToken, target.hostname, port);
    const stream =
      target.protocol === "wss:" ? tlsConnect({ socket: tunnel, servername: target.hostname }) : tunnel;
    const ws = new WebSocket(target, {
      createConnection: () => stream,
      perMessageDeflate: false,
      maxPayload: MAX_FRAME_BYTES,
      handshakeTimeout: CONNECT_TIMEOUT_MS,
    });
    return await new Promise<WebSocket>((resolve, reject) => {
      ws.once("open", () => {
        ws.pause(); // the gateway speaks first (HELLO): hold its frames until the client is paired
        resolve(ws);
      });
      ws.once("error", (e) => {
        stream.destroy();
        reject(new Error(`gateway ${target.host}: ${e.message}`));
      });
    });
  }

  #pair(client: WebSocket, upstream: WebSocket): void {
    const cap = this.#o.maxBufferedBytes ?? 4 * 1024 * 1024;
    this.#open.add(client);
    this.#open.add(upstream);
    const forward = (to: WebSocket, from: WebSocket) => (data: RawData, isBinary: boolean) => {
      if (to.readyState !== WebSocket.OPEN) return;
      if (to.bufferedAmount > cap) {
        this.#o.log("warn", "discord gateway relay: a peer lags behind; closing both sides (1013)");
        close(to, 1013, "relay buffer full");
        close(from, 1013, "relay buffer full");
        return;
      }
      const frame = isBinary ? data : rewriteGatewayFrame(rawText(data), this.alias);
      to.send(frame, { binary: isBinary });
    };
    upstream.on("message", forward(client, upstream));
    client.on("message", forward(upstream, client));
    const ended = (other: WebSocket, self: WebSocket) => (code: number, reason: Buffer) => {
      this.#open.delete(self);
      close(other, code, reason.toString("utf8"));
    };
    upstream.on("close", ended(client, upstream));
    client.on("close", ended(upstream, client));
    const failed = (other: WebSocket) => () => close(other, 1011, "relay peer error");
    upstream.on("error", failed(client));
    client.on("error", failed(upstream));
    upstream.resume();
  }
}

/** CONNECT host:port at the egress proxy with the mesh's token; resolves with the tunnelled socket. */
function connectTunnel(proxyUrl: string, token: string, host: string, port: number): Promise<Socket> {
  const proxy = new URL(proxyUrl);
  if (proxy.protocol !== "http:")
    return Promise.reject(new Error(`egress proxy ${proxy.protocol} is not http`));
  const authority = `${host.includes(":") ? `[${host}]` : host}:${port}`;
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      host: proxy.hostname,
      port: Number(proxy.port || 80),
      method: "CONNECT",
      path: authority,
      headers: { host: authority, "proxy-authorization": `Bearer ${token}` },
      timeout: CONNECT_TIMEOUT_MS,
    });
    req.once("connect", (res, socket, head) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        return reject(new Error(`egress proxy refused CONNECT ${authority} (${res.statusCode})`));
      }
      if (head.length > 0) socket.unshift(head);
      resolve(socket);
    });
    req.once("timeout", () => req.destroy(new Error(`CONNECT ${authority} timed out`)));
    req.once("error", (e) => reject(new Error(`egress proxy CONNECT ${authority}: ${e.message}`)));
    req.end();
  });
}

/** Close codes a peer may send (RFC 6455 §7.4: 1005, 1006 and 1015 are never on the wire). */
function sendable(code: number): boolean {
  return (
    (code >= 1000 && code <= 1014 && ![1004, 1005, 1006].includes(code)) || (code >= 3000 && code <= 4999)
  );
}

function close(ws: WebSocket, code: number, reason: string): void {
  if (ws.readyState === WebSocket.CLOSED || ws.readyState === WebSocket.CLOSING) return;
  if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
  else if (sendable(code)) ws.close(code, reason);
  else ws.close();
}

function reject(socket: Duplex, status: number, message: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${message}\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(message)}\r\nconnection: close\r\n\r\n${message}`,
  );
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  return Buffer.from(data as ArrayBuffer).toString("utf8");
}
