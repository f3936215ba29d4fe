import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type WebSocket, WebSocketServer } from "ws";

/**
 * A faithful fake of Slack on loopback: the Web API (`POST /api/<method>`, form or JSON bodies, Bearer
 * tokens, `{ok:false, error:"invalid_auth"}` on a wrong one, 429 + Retry-After on demand) with
 * auth.test, apps.connections.open (app token → a WebSocket URL) and chat.postMessage (4000+ chars
 * accepted as Slack does up to 40,000); the Socket Mode WebSocket (hello, `events_api` envelopes,
 * acks recorded by envelope_id); and signed HTTP Events API deliveries (`v0=` HMAC over
 * `v0:{ts}:{body}` with the signing secret).
 */

export interface FakeSlack {
  url: string;
  /** Web API root for clients: `${url}/api/`. */
  apiUrl: string;
  botToken: string;
  appToken: string;
  signingSecret: string;
  teamId: string;
  readonly posts: { channel: string; text: string }[];
  readonly acks: string[];
  readonly calls: { method: string; auth: string | undefined }[];
  /** Socket Mode: a user DMs the bot; resolves once the envelope is on the wire. */
  userSays(user: string, text: string): Promise<string>;
  /** HTTP Events: POSTs an event_callback to `eventsUrl`, signed unless told otherwise. */
  postEvent(
    user: string,
    text: string,
    o?: { eventId?: string; ts?: number; secret?: string; unsigned?: boolean },
  ): Promise<number>;
  /** POSTs a raw, correctly signed body (url_verification). */
  postSigned(body: string, o?: { ts?: number }): Promise<Response>;
  eventsUrl: string;
  rateLimitNext(count: number): void;
  connected(): number;
  to(channel: string): string[];
  close(): Promise<void>;
}

const dmOf = (user: string) => `D${user.slice(1)}`;

function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    req.on("data", (c: Buffer) => parts.push(c));
    req.on("end", () => {
      const text = Buffer.concat(parts).toString("utf8");
      if ((req.headers["content-type"] ?? "").includes("json")) resolve(text ? JSON.parse(text) : {});
      else resolve(Object.fromEntries(new URLSearchParams(text)));
    });
  });
}

export async function startFakeSlack(opts: { botToken?: string } = {}): Promise<FakeSlack> {
  const botToken = opts.botToken ?? `xoxb-${randomBytes(12).toString("hex")}`;
  const appToken = `xapp-1-${randomBytes(12).toString("hex")}`;
  const signingSecret = randomBytes(16).toString("hex");
  const teamId = "T0FAKE";
  const posts: FakeSlack["posts"] = [];
  const acks: string[] = [];
  const calls: FakeSlack["calls"] = [];
  const sockets = new Set<WebSocket>();
  let limited = 0;
  let port = 0;

  const send = (res: ServerResponse, body: unknown, headers: Record<string, string> = {}, status = 200) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  };

  const server: Server = createServer((req, res) => {
    const method = /^\/api\/([a-zA-Z.]+)$/.exec((req.url ?? "").split("?")[0]!)?.[1];
    if (!method) return send(res, { ok: false, error: "unknown_method" }, {}, 404);
    const auth = req.headers.authorization;
    calls.push({ method, auth });
    void readBody(req).then((body) => {
      if (method === "apps.connections.open") {
        if (auth !== `Bearer ${appToken}`) return send(res, { ok: false, error: "invalid_auth" });
        return send(res, { ok: true, url: `ws://127.0.0.1:${port}/link/?ticket=${randomUUID()}` });
      }
      if (auth !== `Bearer ${botToken}`) return send(res, { ok: false, error: "invalid_auth" });
      if (method === "auth.test")
        return send(res, {
          ok: true,
          url: "https://fake.slack.com/",
          team: "Fake",
          user: "fleet",
          team_id: teamId,
          user_id: "UBOT",
          bot_id: "BBOT",
        });
      if (method === "chat.postMessage") {
        if (limited > 0) {
          limited--;
          return send(res, { ok: false, error: "ratelimited" }, { "retry-after": "1" }, 429);
        }
        const text = String(body.text ?? "");
        if (text === "") return send(res, { ok: false, error: "no_text" });
        if (text.length > 40_000) return send(res, { ok: false, error: "msg_too_long" });
        posts.push({ channel: String(body.channel), text });
        return send(res, { ok: true, channel: body.channel, ts: `${Date.now() / 1000}`, message: { text } });
      }
      send(res, { ok: false, error: "unknown_method" });
    });
  });
  const wss = new WebSocketServer({ server, path: "/link/" });
  wss.on("connection", (ws) => {
    sockets.add(ws);
    ws.on("close", () => sockets.delete(ws));
    ws.on("message", (data) => {
      try {
        const m = JSON.parse(String(data)) as { envelope_id?: string };
        if (m.envelope_id) acks.push(m.envelope_id);
      } catch {
        // not JSON: ignored, as Slack does
      }
    });
    ws.send(
      JSON.stringify({
        type: "hello",
        num_connections: sockets.size,
        debug_info: { host: "fake" },
        connection_info: { app_id: "AFAKE" },
      }),
    );
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;

  const callbackBody = (user: string, text: string, eventId: string) => ({
    token: "deprecated",
    team_id: teamId,
    api_app_id: "AFAKE",
    type: "event_callback",
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    event: {
      type: "message",
      channel_type: "im",
      user,
      text,
      ts: `${Date.now() / 1000}`,
      channel: dmOf(user),
      event_ts: `${Date.now() / 1000}`,
    },
  });
  const sign = (secret: string, ts: number, body: string) =>
    `v0=${createHmac("sha256", secret).update(`v0:${ts}:${body}`).digest("hex")}`;

  const fake: FakeSlack = {
    url: `http://127.0.0.1:${port}`,
    apiUrl: `http://127.0.0.1:${port}/api/`,
    botToken,
    appToken,
    signingSecret,
    teamId,
    posts,
    acks,
    calls,
    eventsUrl: "",
    async userSays(user, text) {
      const envelope = randomUUID();
      const payload = {
        envelope_id: envelope,
        type: "events_api",
        accepts_response_payload: false,
        retry_attempt: 0,
        retry_reason: "",
        payload: callbackBody(user, text, `Ev${randomUUID().slice(0, 8)}`),
      };
      for (const ws of sockets) ws.send(JSON.stringify(payload));
      return envelope;
    },
    async postSigned(body, o = {}) {
      const ts = o.ts ?? Math.floor(Date.now() / 1000);
      return fetch(fake.eventsUrl, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-slack-request-timestamp": String(ts),
          "x-slack-signature": sign(signingSecret, ts, body),
        },
        body,
      });
    },
    async postEvent(user, text, o = {}) {
      const body = JSON.stringify(callbackBody(user, text, o.eventId ?? `Ev${randomUUID().slice(0, 8)}`));
      const ts = o.ts ?? Math.floor(Date.now() / 1000);
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (!o.unsigned) {
        headers["x-slack-request-timestamp"] = String(ts);
        headers["x-slack-signature"] = sign(o.secret ?? signingSecret, ts, body);
      }
      const res = await fetch(fake.eventsUrl, { method: "POST", headers, body });
      await res.text();
      return res.status;
    },
    rateLimitNext(count) {
      limited = count;
    },
    connected: () => sockets.size,
    to: (channel) => posts.filter((p) => p.channel === channel).map((p) => p.text),
    async close() {
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  return fake;
}
