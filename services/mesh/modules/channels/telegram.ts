import { type ApiClientOptions, Bot, GrammyError, HttpError } from "grammy";
import { channelApi } from "../../../common/channel-egress.js";
import type { ChannelEgress } from "./egress.js";
import { redact } from "./redact.js";
import { type Outcome, Supervisor } from "./supervisor.js";
import { type ChannelAdapter, type InboundMessage, RetryAfter } from "./types.js";

export interface TelegramOptions {
  egress: ChannelEgress;
  log: (level: "info" | "warn" | "error", msg: string) => void;
}

/** Long-polling timeout per getUpdates call (seconds). */
const POLL_TIMEOUT_S = 25;

/**
 * Telegram on grammY, long polling, through the egress proxy, which holds the bot token. Telegram allows one consumer per bot token: a second poller
 * gets 409 from getUpdates, which stops this adapter with a `conflict` status rather than a fight
 * in which each poller keeps cancelling the other. A 401 (token rejected) stops it too.
 */
export class TelegramAdapter implements ChannelAdapter {
  readonly name = "telegram" as const;
  readonly maxChars = 4096;
  /** Telegram's limit is about one message a second per chat. */
  readonly minIntervalMs = 1000;
  readonly #bot: Bot;
  readonly #sup: Supervisor;
  readonly #clean: (s: string) => string;

  constructor(private readonly o: TelegramOptions) {
    this.#clean = (s) => redact(s, [o.egress.token]);
    // grammY's documented client options: the proxy's door as API root, no token in the path (the proxy
    // writes `bot<token>` in), and a fetch that presents the mesh's own token to the proxy.
    this.#bot = new Bot(o.egress.token, {
      client: {
        apiRoot: o.egress.api(channelApi.telegram),
        buildUrl: (root, _token, method) => `${root}/${method}`,
        fetch: o.egress.fetch as NonNullable<ApiClientOptions["fetch"]>,
      },
    });
    this.#sup = new Supervisor(
      "telegram",
      (e) => this.#classify(e),
      (level, msg) => o.log(level, this.#clean(msg)),
    );
  }

  #classify(error: unknown): Outcome {
    if (error instanceof GrammyError && error.error_code === 401)
      return {
        fatal: true,
        state: "token_rejected",
        detail:
          "Telegram rejected the bot token (401 Unauthorized): check OPENLEGION_CRED_TELEGRAM_BOT_TOKEN",
      };
    if (error instanceof GrammyError && error.error_code === 409)
      return {
        fatal: true,
        state: "conflict",
        detail:
          "another consumer is using this bot token (409 Conflict from getUpdates): stop the other fleet or container, or give this fleet its own bot",
      };
    const why = error instanceof HttpError ? `network error: ${String(error.error)}` : String(error);
    return { fatal: false, detail: this.#clean(why) };
  }

  async start(onMessage: (m: InboundMessage) => Promise<void>): Promise<void> {
    this.#bot.on("message:text", (ctx) => {
      // Not awaited: a slow agent must not hold up the polling of other chats' updates.
      void onMessage({
        channel: "telegram",
        messageId: String(ctx.update.update_id),
        userId: String(ctx.from.id),
        chatId: String(ctx.chat.id),
        text: ctx.message.text,
      });
    });
    this.#bot.catch((e) => this.o.log("error", this.#clean(`telegram handler failed: ${String(e.error)}`)));
    this.#sup.run(() =>
      this.#bot.start({
        timeout: POLL_TIMEOUT_S,
        allowed_updates: ["message"],
        onStart: (info) => {
          this.#sup.set("connected", `@${info.username}`);
          this.o.log("info", `telegram: connected as @${info.username}`);
        },
      }),
    );
  }

  async stop(): Promise<void> {
    this.#sup.stop();
    if (this.#bot.isRunning()) await this.#bot.stop().catch(() => {});
  }

  async send(chatId: string, text: string): Promise<void> {
    try {
      await this.#bot.api.sendMessage(chatId, text);
    } catch (error) {
      if (error instanceof GrammyError && error.error_code === 429)
        throw new RetryAfter(error.parameters.retry_after ?? 1);
      throw new Error(
        this.#clean(`telegram sendMessage failed: ${error instanceof Error ? error.message : String(error)}`),
      );
    }
  }

  async typing(chatId: string): Promise<void> {
    await this.#bot.api.sendChatAction(chatId, "typing").catch(() => {});
  }

  status() {
    return this.#sup.status();
  }
}
