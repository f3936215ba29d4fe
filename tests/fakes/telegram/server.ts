import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A faithful fake of the Telegram Bot API (https://core.telegram.org/bots/api) on loopback: the real
 * URL shape `/bot<token>/<method>`, JSON bodies, `{ok, result}` / `{ok:false, error_code, description,
 * parameters}` replies, getUpdates long polling with offsets (a second concurrent poller makes the
 * first one fail with 409, as Telegram does), webhook mode (setWebhook, then updates POSTed with
 * X-Telegram-Bot-Api-Secret-Token), sendMessage's 4096-character limit and injected 429s with
 * retry_after. It records every call so tests assert what the user's phone would show.
 */

export interface SentMessage {
  chat_id: string;
  text: string;
  at: number;
}

export interface Update {
  update_id: number;
  message: {
    message_id: number;
    date: number;
    text: string;
    from: { id: number; is_bot: false; first_name: string };
    chat: { id: number; type: "private" };
  };
}

interface Poll {
  offset: number;
  res: ServerResponse;
  timer: NodeJS.Timeout;
}

export interface FakeTelegram {
  url: string;
  token: string;
  /** Every Bot API call: method and token-free body. */
  readonly calls: { method: string; body: Record<string, unknown> }[];
  readonly sent: SentMessage[];
  readonly actions: { chat_id: string; action: string }[];
  /** A user writes to the bot (a private chat with the user's own id). */
  userSays(userId: number, text: string): Update;
  /** The next `count` sendMessage calls answer 429 with `retry_after`. */
  rateLimitNext(count: number, retryAfterS: number): void;
  /** Messages sent to one chat so far. */
  to(chatId: number): string[];
  close(): Promise<void>;
}

function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on("data", (c: Buffer) => parts.push(c));
    req.on("end", () => {
      const text = Buffer.concat(parts).toString("utf8");
      if (text === "") return resolve({});
      try {
        resolve(JSON.parse(text) as Record<string, unknown>);
      } catch (e) {
        reject(e);
      }
    });
    req.on("error", reject);
  });
}

const reply = (res: ServerResponse, status: number, body: unknown) => {
  if (res.writableEnded) return;
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
};
const ok = (res: ServerResponse, result: unknown) => reply(res, 200, { ok: true, result });
const fail = (res: ServerResponse, code: number, description: string, parameters?: Record<string, unknown>) =>
  reply(res, code, { ok: false, error_code: code, description, ...(parameters ? { parameters } : {}) });

export async function startFakeTelegram(
  opts: {
    token?: string;
    username?: string;
    host?: string;
    port?: number;
    /** Serve `POST /_fake/say {user, text}` and `GET /_fake/sent` (a fake in a container, driven from the host). */
    control?: boolean;
  } = {},
): Promise<FakeTelegram> {
  const token = opts.token ?? "123456789:AAFakeTelegramToken_abcdefghijklmnopqrs";
  const botId = Number(token.split(":")[0]);
  const updates: Update[] = [];
  const calls: FakeTelegram["calls"] = [];
  const sent: SentMessage[] = [];
  const actions: FakeTelegram["actions"] = [];
  let nextUpdate = 1;
  let nextMessage = 1;
  let limited = 0;
  let retryAfter = 1;
  let poll: Poll | undefined;
  let webhook: { url: string; secret: string | undefined } | undefined;

  const flush = () => {
    if (!poll) return;
    const ready = updates.filter((u) => u.update_id >= poll!.offset);
    if (ready.length === 0) return;
    clearTimeout(poll.timer);
    ok(poll.res, ready);
    poll = undefined;
  };

  const push = async (u: Update) => {
    if (!webhook) {
      updates.push(u);
      flush();
      return;
    }
    await fetch(webhook.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(webhook.secret ? { "x-telegram-bot-api-secret-token": webhook.secret } : {}),
      },
      body: JSON.stringify(u),
    });
  };

  const methods: Record<string, (body: Record<string, unknown>, res: ServerResponse) => void> = {
    getMe: (_b, res) =>
      ok(res, {
        id: botId,
        is_bot: true,
        first_name: "Fleet",
        username: opts.username ?? "fleet_bot",
        can_join_groups: true,
        can_read_all_group_messages: false,
        supports_inline_queries: false,
      }),
    deleteWebhook: (_b, res) => {
      webhook = undefined;
      ok(res, true);
    },
    setWebhook: (b, res) => {
      webhook = {
        url: String(b.url),
        secret: b.secret_token === undefined ? undefined : String(b.secret_token),
      };
      ok(res, true);
    },
    getUpdates: (b, res) => {
      if (webhook)
        return fail(
          res,
          409,
          "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
        );
      const offset = Number(b.offset ?? 0);
      // Confirmed updates are forgotten, as on Telegram.
      for (let i = updates.length - 1; i >= 0; i--) if (updates[i]!.update_id < offset) updates.splice(i, 1);
      if (poll) {
        clearTimeout(poll.timer);
        fail(
          poll.res,
          409,
          "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
        );
      }
      const timeoutS = Number(b.timeout ?? 0);
      const timer = setTimeout(() => {
        if (poll?.res === res) poll = undefined;
        ok(res, []);
      }, timeoutS * 1000);
      poll = { offset, res, timer };
      res.on("close", () => {
        if (poll?.res === res) {
          clearTimeout(timer);
          poll = undefined;
        }
      });
      flush();
    },
    sendMessage: (b, res) => {
      const text = typeof b.text === "string" ? b.text : "";
      if (limited > 0) {
        limited--;
        return fail(res, 429, `Too Many Requests: retry after ${retryAfter}`, { retry_after: retryAfter });
      }
      if (text.trim() === "") return fail(res, 400, "Bad Request: message text is empty");
      if (text.length > 4096) return fail(res, 400, "Bad Request: message is too long");
      sent.push({ chat_id: String(b.chat_id), text, at: Date.now() });
      ok(res, {
        message_id: nextMessage++,
        date: Math.floor(Date.now() / 1000),
        chat: { id: Number(b.chat_id), type: "private" },
        text,
      });
    },
    sendChatAction: (b, res) => {
      actions.push({ chat_id: String(b.chat_id), action: String(b.action) });
      ok(res, true);
    },
  };

  const userSays = (userId: number, text: string): Update => {
    const u: Update = {
      update_id: nextUpdate++,
      message: {
        message_id: nextMessage++,
        date: Math.floor(Date.now() / 1000),
        text,
        from: { id: userId, is_bot: false, first_name: `user${userId}` },
        chat: { id: userId, type: "private" },
      },
    };
    void push(u);
    return u;
  };

  const control = (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === "GET" && req.url === "/_fake/sent") return ok(res, sent);
    if (req.method !== "POST" || req.url !== "/_fake/say") return fail(res, 404, "Not Found");
    readJson(req).then(
      (b) => ok(res, userSays(Number(b.user), String(b.text))),
      () => fail(res, 400, "Bad Request: can't parse JSON"),
    );
  };

  const server: Server = createServer((req, res) => {
    if (opts.control && req.url?.startsWith("/_fake/")) return control(req, res);
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec((req.url ?? "").split("?")[0]!);
    if (!match) return fail(res, 404, "Not Found");
    readJson(req).then(
      (body) => {
        if (match[1] !== token) return fail(res, 401, "Unauthorized");
        const method = methods[match[2]!];
        calls.push({ method: match[2]!, body });
        if (!method) return fail(res, 404, "Not Found: method not found");
        method(body, res);
      },
      () => fail(res, 400, "Bad Request: can't parse JSON"),
    );
  });
  await new Promise<void>((r) => server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    token,
    calls,
    sent,
    actions,
    userSays,
    rateLimitNext(count, retryAfterS) {
      limited = count;
      retryAfter = retryAfterS;
    },
    to: (chatId) => sent.filter((m) => m.chat_id === String(chatId)).map((m) => m.text),
    async close() {
      if (poll) {
        clearTimeout(poll.timer);
        ok(poll.res, []);
      }
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
