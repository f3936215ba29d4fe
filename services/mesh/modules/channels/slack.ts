import { App, isValidSlackRequest, LogLevel, SocketModeReceiver, webApi } from "@slack/bolt";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { channelApi } from "../../../common/channel-egress.js";
import { ChannelRoutes } from "../../../common/contracts/channel-routes.js";
import { route } from "../../../common/http/route.js";
import { MeshErrors } from "../../errors.js";
import type { ChannelEgress } from "./egress.js";
import { redact } from "./redact.js";
import { type Outcome, Supervisor } from "./supervisor.js";
import type { ChannelAdapter, InboundMessage } from "./types.js";

export interface SlackOptions {
  mode: "socket" | "http";
  /**
   * The proxy holds both tokens: Web API calls go to its `/api/_slack/` door (bot token injected), Socket
   * Mode's apps.connections.open to `/api/_slack_app/` (app token injected), the WebSocket through CONNECT.
   */
  egress: ChannelEgress;
  /** HTTP Events API signing secret (the mesh verifies inbound requests itself). */
  signingSecret?: string;
  log: (level: "info" | "warn" | "error", msg: string) => void;
}

const MAX_BODY_BYTES = 1024 * 1024;
/** The fields of a Slack message event the mesh uses. Only direct messages from people are handled. */
const messageEvent = z.object({
  type: z.literal("message"),
  channel_type: z.string().optional(),
  subtype: z.string().optional(),
  bot_id: z.string().optional(),
  user: z.string().max(32),
  channel: z.string().max(32),
  text: z.string(),
});
const callback = z.object({
  type: z.string(),
  challenge: z.string().max(256).optional(),
  team_id: z.string().max(32).optional(),
  event_id: z.string().max(64).optional(),
  event: z.unknown().optional(),
});

/**
 * Slack on Bolt: Socket Mode (Bolt's SocketModeReceiver: apps.connections.open, then envelopes acked
 * over the WebSocket) or HTTP Events on the mesh's Fastify (v0 request signatures checked with Bolt's
 * `isValidSlackRequest`, 5-minute timestamp tolerance; url_verification answered only when signed).
 * Sends go through Bolt's WebClient, which waits out a 429's Retry-After itself.
 */
export class SlackAdapter implements ChannelAdapter {
  readonly name = "slack" as const;
  /** Slack advises at most 4000 characters per message. */
  readonly maxChars = 4000;
  readonly minIntervalMs = 1000;
  readonly #sup: Supervisor;
  readonly #clean: (s: string) => string;
  readonly #web: webApi.WebClient;
  #app: App | undefined;
  #onMessage: ((m: InboundMessage) => Promise<void>) | undefined;

  constructor(private readonly o: SlackOptions) {
    const secrets = [o.egress.token, o.signingSecret ?? ""];
    this.#clean = (s) => redact(s, secrets);
    this.#sup = new Supervisor(
      "slack",
      (e) => this.#classify(e),
      (l, m) => o.log(l, this.#clean(m)),
    );
    const retryConfig = { retries: 5, factor: 1, minTimeout: 100 };
    // Slack's clients log to the mesh log (redacted, warnings and up), not to the console.
    const logger = this.#boltLogger();
    const clientOptions = { slackApiUrl: `${o.egress.api(channelApi.slack)}/`, retryConfig, logger };
    this.#web = new webApi.WebClient(o.egress.token, clientOptions);
    if (o.mode === "socket") {
      // Bolt's own SocketModeReceiver, built here because App does not pass `dispatcher` on: the
      // WebSocket goes through the proxy's CONNECT door, apps.connections.open (plain fetch, not the
      // tunnel) to the proxy's door that injects the app token.
      const receiver = new SocketModeReceiver({
        appToken: o.egress.token,
        dispatcher: o.egress.tunnel,
        logger,
        logLevel: LogLevel.WARN,
        installerOptions: {
          clientOptions: {
            slackApiUrl: `${o.egress.api(channelApi.slackApp)}/`,
            retryConfig,
            fetch: (url, init) => fetch(url, init),
          },
        },
      });
      this.#app = new App({
        token: o.egress.token,
        receiver,
        logLevel: LogLevel.WARN,
        logger,
        clientOptions,
        deferInitialization: true,
      });
    }
  }

  /** Bolt's and the Socket Mode client's log lines go to the mesh log, redacted, warnings and up only. */
  #boltLogger() {
    const out =
      (level: "warn" | "error") =>
      (...msg: unknown[]) =>
        this.o.log(level, this.#clean(`slack: ${msg.map(String).join(" ")}`));
    let level = LogLevel.WARN;
    return {
      debug: () => {},
      info: () => {},
      warn: out("warn"),
      error: out("error"),
      setLevel: (l: LogLevel) => {
        level = l;
      },
      getLevel: () => level,
      setName: () => {},
    };
  }

  #classify(error: unknown): Outcome {
    const text = error instanceof Error ? error.message : String(error);
    if (/invalid_auth|not_authed|account_inactive|token_revoked/.test(text))
      return {
        fatal: true,
        state: "token_rejected",
        detail:
          "Slack rejected a token (invalid_auth): check OPENLEGION_CRED_SLACK_BOT_TOKEN and SLACK_APP_TOKEN",
      };
    return { fatal: false, detail: this.#clean(text) };
  }

  #deliver(teamId: string, eventId: string, event: unknown): void {
    const m = messageEvent.safeParse(event);
    if (!m.success || m.data.subtype || m.data.bot_id || m.data.channel_type !== "im") return;
    void this.#onMessage?.({
      channel: "slack",
      messageId: eventId,
      userId: `${teamId}:${m.data.user}`,
      chatId: m.data.channel,
      text: m.data.text,
    });
  }

  async start(onMessage: (m: InboundMessage) => Promise<void>): Promise<void> {
    this.#onMessage = onMessage;
    const app = this.#app;
    this.#sup.run(async () => {
      const auth = await this.#web.auth.test();
      if (app) {
        await app.init();
        app.event("message", async ({ event, body }) => {
          const b = body as { team_id?: string; event_id?: string };
          this.#deliver(b.team_id ?? String(auth.team_id), b.event_id ?? "", event);
        });
        await app.start();
      }
      this.#sup.set(
        "connected",
        `${auth.team ?? "workspace"} as ${auth.user ?? "bot"} (${this.o.mode} mode)`,
      );
      await this.#sup.untilStopped();
    });
  }

  async stop(): Promise<void> {
    this.#sup.stop();
    this.#onMessage = undefined;
    await this.#app?.stop().catch(() => {});
  }

  async send(chatId: string, text: string): Promise<void> {
    try {
      await this.#web.chat.postMessage({ channel: chatId, text, unfurl_links: false, unfurl_media: false });
    } catch (error) {
      throw new Error(
        this.#clean(
          `slack chat.postMessage failed: ${error instanceof Error ? error.message : String(error)}`,
        ),
      );
    }
  }

  /** Slack has no typing indicator for bots outside assistant threads. */
  async typing(): Promise<void> {}

  status() {
    return this.#sup.status();
  }

  async routes(app: FastifyInstance): Promise<boolean> {
    const secret = this.o.signingSecret;
    if (this.o.mode !== "http" || !secret) return false;
    await app.register(async (hooks) => {
      hooks.removeAllContentTypeParsers();
      hooks.addContentTypeParser("*", { parseAs: "string", bodyLimit: MAX_BODY_BYTES }, (_req, body, done) =>
        done(null, body),
      );
      route(hooks, ChannelRoutes.slackEvents, async (req, reply) => {
        const raw = typeof req.body === "string" ? req.body : "";
        const signature = req.headers["x-slack-signature"];
        const ts = Number(req.headers["x-slack-request-timestamp"]);
        const valid =
          typeof signature === "string" &&
          Number.isInteger(ts) &&
          isValidSlackRequest({
            signingSecret: secret,
            body: raw,
            headers: { "x-slack-signature": signature, "x-slack-request-timestamp": ts },
          });
        if (!valid)
          throw MeshErrors.unauthenticated("slack events: missing, wrong or stale request signature");
        let body: z.output<typeof callback>;
        try {
          body = callback.parse(JSON.parse(raw));
        } catch {
          throw MeshErrors.badRequest("not a Slack Events API body");
        }
        if (body.type === "url_verification") return reply.type("text/plain").send(body.challenge ?? "");
        if (!this.#onMessage) throw MeshErrors.channelDown("slack");
        // Acknowledge at once (Slack retries after 3 s); redeliveries are dropped by event_id in the ingress.
        if (body.type === "event_callback" && body.event_id)
          this.#deliver(body.team_id ?? "", body.event_id, body.event);
        return reply.code(200).send({ ok: true });
      });
    });
    return true;
  }
}
