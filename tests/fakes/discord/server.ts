import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type WebSocket, WebSocketServer } from "ws";

/**
 * A faithful fake of Discord on loopback: REST v10 under `/api/v10` (`Authorization: Bot <token>`,
 * 401 `{message, code: 0}` on a wrong token, GET /gateway/bot, POST /channels/:id/messages with the
 * 2000-character limit and 429 `{retry_after, global}` on demand, POST /channels/:id/typing) and the
 * Gateway WebSocket (op 10 HELLO, op 2 IDENTIFY checked against the token — close 4004 otherwise —,
 * op 0 READY, op 1 heartbeat → op 11 ACK, op 6 RESUME → RESUMED, MESSAGE_CREATE dispatches).
 * It records every REST call and every IDENTIFY so tests can check where the token travelled.
 */

export interface FakeDiscord {
  url: string;
  /** REST root for @discordjs/rest's `api` option. */
  apiUrl: string;
  token: string;
  readonly posts: { channel: string; content: string; allowed_mentions: unknown }[];
  readonly typing: string[];
  readonly identifies: { token: string }[];
  readonly resumes: number;
  readonly rest: { method: string; path: string; auth: string | undefined }[];
  /** The request path of every gateway connection (`/resume…` for one to READY's resume_gateway_url). */
  readonly gateways: string[];
  /** A user DMs the bot; the DM channel id is `dm-<user id>`. */
  userSays(userId: string, text: string): void;
  rateLimitNext(count: number): void;
  /** Drops every gateway connection with a resumable close code. */
  dropConnections(): void;
  to(channel: string): string[];
  close(): Promise<void>;
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(body === undefined ? "" : JSON.stringify(body));
};

function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    req.on("data", (c: Buffer) => parts.push(c));
    req.on("end", () => {
      const text = Buffer.concat(parts).toString("utf8");
      try {
        resolve(text ? (JSON.parse(text) as Record<string, unknown>) : {});
      } catch {
        resolve({});
      }
    });
  });
}

export async function startFakeDiscord(
  opts: {
    token?: string;
    /** The host named in the gateway URLs it hands out (default 127.0.0.1, where it listens). */
    gatewayHost?: string;
  } = {},
): Promise<FakeDiscord> {
  const botId = "1100000000000000001";
  const token =
    opts.token ??
    `${Buffer.from(botId).toString("base64")}.${randomBytes(4).toString("hex")}.${randomBytes(20).toString("base64url")}`;
  const posts: FakeDiscord["posts"] = [];
  const typing: string[] = [];
  const identifies: { token: string }[] = [];
  const rest: FakeDiscord["rest"] = [];
  const gateways: string[] = [];
  const gatewayUrl = (path = "") => `ws://${opts.gatewayHost ?? "127.0.0.1"}:${port}${path}`;
  const sockets = new Set<WebSocket>();
  const ready = new Set<WebSocket>();
  let seq = 0;
  let resumes = 0;
  let limited = 0;
  let nextId = 1_200_000_000_000_000_000n;
  let port = 0;

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0]!;
    const auth = req.headers.authorization;
    rest.push({ method: req.method ?? "", path, auth });
    void readBody(req).then((body) => {
      if (auth !== `Bot ${token}`) return json(res, 401, { message: "401: Unauthorized", code: 0 });
      if (req.method === "GET" && path === "/api/v10/gateway/bot")
        return json(res, 200, {
          url: gatewayUrl(),
          shards: 1,
          session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 },
        });
      const typingMatch = /^\/api\/v10\/channels\/([^/]+)\/typing$/.exec(path);
      if (req.method === "POST" && typingMatch) {
        typing.push(typingMatch[1]!);
        res.writeHead(204);
        return res.end();
      }
      const msg = /^\/api\/v10\/channels\/([^/]+)\/messages$/.exec(path);
      if (req.method === "POST" && msg) {
        if (limited > 0) {
          limited--;
          return json(
            res,
            429,
            { message: "You are being rate limited.", retry_after: 1, global: false },
            {
              "retry-after": "1",
              "x-ratelimit-limit": "5",
              "x-ratelimit-remaining": "0",
              "x-ratelimit-reset-after": "1",
              "x-ratelimit-bucket": "fakebucket",
            },
          );
        }
        const content = String(body.content ?? "");
        if (content.length > 2000)
          return json(res, 400, {
            message: "Invalid Form Body",
            code: 50035,
            errors: {
              content: {
                _errors: [{ code: "BASE_TYPE_MAX_LENGTH", message: "Must be 2000 or fewer in length." }],
              },
            },
          });
        posts.push({ channel: msg[1]!, content, allowed_mentions: body.allowed_mentions });
        return json(res, 200, { id: String(nextId++), channel_id: msg[1], content, type: 0 });
      }
      json(res, 404, { message: "404: Not Found", code: 0 });
    });
  });

  const wss = new WebSocketServer({ server });
  const dispatch = (ws: WebSocket, t: string, d: unknown) =>
    ws.send(JSON.stringify({ op: 0, t, s: ++seq, d }));
  wss.on("connection", (ws, req) => {
    gateways.push(req.url ?? "");
    sockets.add(ws);
    ws.on("close", () => {
      sockets.delete(ws);
      ready.delete(ws);
    });
    ws.send(JSON.stringify({ op: 10, d: { heartbeat_interval: 41_250 }, s: null, t: null }));
    ws.on("message", (data) => {
      const m = JSON.parse(String(data)) as { op: number; d: Record<string, unknown> };
      if (m.op === 1) return ws.send(JSON.stringify({ op: 11, d: null, s: null, t: null }));
      if (m.op === 2) {
        identifies.push({ token: String(m.d.token) });
        if (m.d.token !== token) return ws.close(4004, "Authentication failed.");
        ready.add(ws);
        return dispatch(ws, "READY", {
          v: 10,
          user: {
            id: botId,
            username: "fleet",
            discriminator: "0",
            global_name: null,
            avatar: null,
            bot: true,
          },
          guilds: [],
          session_id: randomBytes(16).toString("hex"),
          resume_gateway_url: gatewayUrl("/resume"),
          shard: [0, 1],
          application: { id: botId, flags: 0 },
          private_channels: [],
          relationships: [],
          user_settings: {},
          presences: [],
          guild_join_requests: [],
          geo_ordered_rtc_regions: [],
        });
      }
      if (m.op === 6) {
        if (m.d.token !== token) return ws.close(4004, "Authentication failed.");
        resumes++;
        ready.add(ws);
        return dispatch(ws, "RESUMED", {});
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    apiUrl: `http://127.0.0.1:${port}/api`,
    token,
    posts,
    typing,
    identifies,
    get resumes() {
      return resumes;
    },
    rest,
    gateways,
    userSays(userId, text) {
      const d = {
        id: String(nextId++),
        channel_id: `dm-${userId}`,
        channel_type: 1, // DM; Discord includes it in MESSAGE_CREATE
        author: {
          id: userId,
          username: `user${userId}`,
          discriminator: "0",
          global_name: null,
          avatar: null,
        },
        content: text,
        timestamp: new Date().toISOString(),
        edited_timestamp: null,
        tts: false,
        mention_everyone: false,
        mentions: [],
        mention_roles: [],
        attachments: [],
        embeds: [],
        pinned: false,
        type: 0,
      };
      for (const ws of ready) dispatch(ws, "MESSAGE_CREATE", d);
    },
    rateLimitNext(count) {
      limited = count;
    },
    dropConnections() {
      for (const ws of sockets) ws.close(4000, "Unknown error");
    },
    to: (channel) => posts.filter((p) => p.channel === channel).map((p) => p.content),
    async close() {
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
