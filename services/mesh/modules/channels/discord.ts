import {
  Client,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  Partials,
  RESTJSONErrorCodes,
  type RESTOptions,
  Routes,
} from "discord.js";
import {
  Headers as UndiciHeaders,
  type RequestInit as UndiciInit,
  Response as UndiciResponse,
  fetch as undiciFetch,
} from "undici";
import { CHANNEL_TUNNEL_HOSTS, urlHostRule } from "../../../common/channel-egress.js";
import { isGatewayInfoPath, rewriteGatewayInfo } from "./discord-gateway-frames.js";
import { GatewayRelay } from "./discord-gateway-relay.js";
import type { ChannelEgress } from "./egress.js";
import { redact } from "./redact.js";
import { type Outcome, Supervisor } from "./supervisor.js";
import type { ChannelAdapter, InboundMessage } from "./types.js";

export interface DiscordOptions {
  token: string;
  /** REST root (default https://discord.com/api); the gateway URL comes from its GET /gateway/bot. */
  apiRoot?: string;
  /** REST calls and (by way of the gateway relay) the gateway leave through the egress proxy's CONNECT door. */
  egress: ChannelEgress;
  log: (level: "info" | "warn" | "error", msg: string) => void;
}

/**
 * Discord on discord.js: the Gateway for direct messages (the token travels in IDENTIFY/RESUME frames,
 * so it stays in the mesh, which opens the socket — through its loopback relay and the proxy's CONNECT
 * door, discord-gateway-relay.ts), REST for sends with `allowed_mentions.parse = []`
 * (LLM output cannot ping @everyone). discord.js reconnects and resumes the gateway and queues REST
 * calls per route bucket, waiting out 429 retry_after itself.
 */
export class DiscordAdapter implements ChannelAdapter {
  readonly name = "discord" as const;
  /** Bot messages are limited to 2000 characters. */
  readonly maxChars = 2000;
  readonly minIntervalMs = 250;
  readonly #client: Client;
  readonly #sup: Supervisor;
  readonly #clean: (s: string) => string;
  readonly #relay: GatewayRelay;

  constructor(private readonly o: DiscordOptions) {
    this.#clean = (s) => redact(s, [o.token]);
    this.#relay = new GatewayRelay({
      allowedHosts: [...(CHANNEL_TUNNEL_HOSTS.discord ?? []), ...(o.apiRoot ? [urlHostRule(o.apiRoot)] : [])],
      proxyUrl: o.egress.proxyUrl,
      proxyToken: o.egress.token,
      log: (l, m) => o.log(l, this.#clean(m)),
    });
    this.#client = new Client({
      intents: [GatewayIntentBits.DirectMessages],
      partials: [Partials.Channel],
      // REST's documented `makeRequest` seam: undici's fetch through the proxy's CONNECT door.
      rest: {
        ...(o.apiRoot ? { api: o.apiRoot } : {}),
        makeRequest: ((url: string, init: RequestInit) =>
          this.#request(url, init)) as unknown as RESTOptions["makeRequest"],
      },
    });
    this.#sup = new Supervisor(
      "discord",
      (e) => this.#classify(e),
      (l, m) => o.log(l, this.#clean(m)),
    );
  }

  /**
   * REST through the proxy; the gateway URL in `GET /gateway(/bot)` is swapped for the relay's, so
   * @discordjs/ws (which has no proxy option) connects to the relay, never to Discord directly.
   */
  async #request(url: string, init: RequestInit): Promise<UndiciResponse> {
    const res = await undiciFetch(url, { ...(init as UndiciInit), dispatcher: this.o.egress.tunnel });
    if (!res.ok || !isGatewayInfoPath(new URL(url).pathname)) return res;
    const body = rewriteGatewayInfo(await res.text(), (real) => {
      if (!this.#relay.allows(real))
        throw new Error(`Discord's gateway ${new URL(real).host} is not on the mesh's Discord allowlist`);
      return this.#relay.alias(real);
    });
    if (body === undefined) throw new Error("Discord's GET /gateway answer has no gateway url");
    const headers = new UndiciHeaders(res.headers);
    headers.delete("content-length");
    headers.delete("content-encoding");
    return new UndiciResponse(body, { status: res.status, statusText: res.statusText, headers });
  }

  #classify(error: unknown): Outcome {
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    if (
      (error instanceof DiscordAPIError && error.status === 401) ||
      /TokenInvalid|Authentication failed|401/.test(text)
    )
      return {
        fatal: true,
        state: "token_rejected",
        detail: "Discord rejected the bot token (401): check OPENLEGION_CRED_DISCORD_BOT_TOKEN",
      };
    return { fatal: false, detail: this.#clean(text) };
  }

  async start(onMessage: (m: InboundMessage) => Promise<void>): Promise<void> {
    await this.#relay.start();
    this.#client.on(Events.MessageCreate, (message) => {
      if (message.author.bot || message.guildId !== null) return; // direct messages from people only
      void onMessage({
        channel: "discord",
        messageId: message.id,
        userId: message.author.id,
        chatId: message.channelId,
        text: message.content,
      });
    });
    this.#client.on(Events.ShardDisconnect, () => this.#sup.set("reconnecting", "gateway disconnected"));
    this.#client.on(Events.ShardResume, () => this.#sup.set("connected", "gateway resumed"));
    this.#client.on(Events.Error, (e) => this.o.log("warn", this.#clean(`discord: ${e.message}`)));
    this.#sup.run(async () => {
      try {
        await this.#client.login(this.o.token);
      } catch (error) {
        await this.#client.destroy().catch(() => {});
        throw error;
      }
      this.#sup.set("connected", `as ${this.#client.user?.username ?? "bot"}`);
      await this.#sup.untilStopped();
    });
  }

  async stop(): Promise<void> {
    this.#sup.stop();
    await this.#client.destroy().catch(() => {});
    await this.#relay.close();
  }

  async send(chatId: string, text: string): Promise<void> {
    try {
      await this.#client.rest.post(Routes.channelMessages(chatId), {
        body: { content: text, allowed_mentions: { parse: [] } },
      });
    } catch (error) {
      const code =
        error instanceof DiscordAPIError
          ? ` (code ${error.code === RESTJSONErrorCodes.CannotSendMessagesToThisUser ? "cannot DM this user" : error.code})`
          : "";
      throw new Error(
        this.#clean(`discord send failed${code}: ${error instanceof Error ? error.message : String(error)}`),
      );
    }
  }

  async typing(chatId: string): Promise<void> {
    await this.#client.rest.post(Routes.channelTyping(chatId)).catch(() => {});
  }

  status() {
    return this.#sup.status();
  }
}
