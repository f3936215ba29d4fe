import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import { channelApi } from "../../../common/channel-egress.js";
import { ChannelRoutes } from "../../../common/contracts/channel-routes.js";
import type { RouteContract } from "../../../common/contracts/contract.js";
import { type ChannelConfig, channelsSchema } from "../../../common/contracts/fleet/channels.js";
import { route } from "../../../common/http/route.js";
import type { MeshContext, MeshModule } from "../../context.js";
import { MeshErrors } from "../../errors.js";
import { meshActions } from "./actions.js";
import { splitMessage } from "./chunk.js";
import { DiscordAdapter } from "./discord.js";
import { ChannelEgress } from "./egress.js";
import { ChannelIngress } from "./ingress.js";
import { Pacer } from "./pacer.js";
import { redact } from "./redact.js";
import { SlackAdapter } from "./slack.js";
import { ChannelStore } from "./store.js";
import { TelegramAdapter } from "./telegram.js";
import {
  type ChannelAdapter,
  type ChannelName,
  type ChannelStatus,
  channelNameSchema,
  Undeliverable,
} from "./types.js";
import { WhatsAppAdapter } from "./whatsapp.js";

export interface ChannelDeps {
  /** A Compose secret by credential name (e.g. TELEGRAM_BOT_TOKEN), or undefined when not mounted. */
  secret(credential: string): string | undefined;
}

type Log = (level: "info" | "warn" | "error", msg: string) => void;
type Factory = (
  cfg: ChannelConfig,
  secret: ChannelDeps["secret"],
  log: Log,
  ctx: MeshContext,
  egress: ChannelEgress,
) => ChannelAdapter | string;

/**
 * One factory per platform; a string result says which secret is missing. Tokens the proxy injects
 * (Telegram, Slack, WhatsApp's access token) are not the mesh's: only what verifies inbound calls and
 * Discord's gateway token are read here.
 */
const ADAPTERS: Partial<Record<ChannelName, Factory>> = {
  telegram: (_cfg, _secret, log, _ctx, egress) => new TelegramAdapter({ egress, log }),
  discord: (cfg, secret, log, _ctx, egress) => {
    const token = secret("DISCORD_BOT_TOKEN");
    return token
      ? new DiscordAdapter({ token, apiRoot: cfg.api_root, egress, log })
      : "OPENLEGION_CRED_DISCORD_BOT_TOKEN";
  },
  slack: (cfg, secret, log, _ctx, egress) => {
    const mode = cfg.mode ?? "socket";
    const signingSecret = mode === "http" ? secret("SLACK_SIGNING_SECRET") : undefined;
    if (mode === "http" && !signingSecret) return "OPENLEGION_CRED_SLACK_SIGNING_SECRET";
    return new SlackAdapter({ mode, egress, signingSecret, log });
  },
  whatsapp: (cfg, secret, log, ctx, egress) => {
    const [appSecret, verifyToken] = ["APP_SECRET", "VERIFY_TOKEN"].map((k) => secret(`WHATSAPP_${k}`));
    if (!appSecret || !verifyToken || !cfg.phone_number_id)
      return "OPENLEGION_CRED_WHATSAPP_APP_SECRET and _VERIFY_TOKEN";
    return new WhatsAppAdapter({
      bearer: egress.token,
      appSecret,
      verifyToken,
      phoneNumberId: cfg.phone_number_id,
      apiRoot: egress.api(channelApi.whatsapp),
      http: ctx.http,
      minIntervalMs: ctx.limits.whatsapp_send_interval_ms,
      log,
    });
  },
};

/** Concurrent inbound messages being handled per channel; more are answered "busy". */
const MAX_IN_FLIGHT = 32;
const MAX_INBOUND_CHARS = 16_000;

interface Runtime {
  name: ChannelName;
  adapter: ChannelAdapter | undefined;
  missing: string | undefined;
  ingress: ChannelIngress | undefined;
  inFlight: number;
}

function parseChannels(raw: unknown): Partial<Record<ChannelName, ChannelConfig>> {
  const parsed = channelsSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw MeshErrors.config(
    `channels: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
  );
}

/** Chat channels (ARCHITECTURE.md §7): adapters, pairing, access, routing to agents. */
export function channelsModule(deps: ChannelDeps): MeshModule {
  const runtimes: Runtime[] = [];
  let store: ChannelStore | undefined;
  let logger: FastifyBaseLogger | undefined;
  const secrets: string[] = [];
  let egress: ChannelEgress | undefined;

  const pairingCode = (ctx: MeshContext, name: ChannelName) => {
    const now = ctx.clock.now();
    return store!.pendingCodes(name, now)[0] ?? store!.issueCode(name, now);
  };

  return {
    name: "channels",
    async routes(app: FastifyInstance, ctx: MeshContext) {
      logger = app.log;
      const configs = parseChannels(ctx.config.channels);
      store = new ChannelStore(ctx.store.db);
      const agentIds = [...ctx.identity.agents.keys()];
      const webhooks = new Map<ChannelName, RouteContract[]>([
        ["slack", [ChannelRoutes.slackEvents]],
        ["whatsapp", [ChannelRoutes.whatsappVerify, ChannelRoutes.whatsappEvents]],
      ]);
      for (const name of channelNameSchema.options) {
        const cfg = configs[name];
        if (!cfg?.enabled) continue;
        if (!egress) {
          // proxy_admin_url is the proxy's one address: its admin, API and CONNECT doors share it.
          egress = new ChannelEgress(ctx.config.proxy_admin_url, ctx.masterKey);
          secrets.push(egress.token);
        }
        const log: Log = (level, msg) => logger?.[level]({ channel: name }, redact(msg, secrets));
        const made =
          ADAPTERS[name]?.(
            cfg,
            (c) => {
              const v = deps.secret(c);
              if (v) secrets.push(v);
              return v;
            },
            log,
            ctx,
            egress,
          ) ?? `an adapter for ${name} (not in this version)`;
        const rt: Runtime = { name, adapter: undefined, missing: undefined, ingress: undefined, inFlight: 0 };
        runtimes.push(rt);
        if (typeof made === "string") {
          rt.missing = made;
          continue;
        }
        const adapter = made;
        rt.adapter = adapter;
        if (await adapter.routes?.(app)) webhooks.delete(name);
        const agents = cfg.agents ?? agentIds;
        const pacer = new Pacer({
          minIntervalMs: adapter.minIntervalMs,
          maxQueued: 64,
          maxRetries: 5,
          maxRetryAfterS: 300,
        });
        rt.ingress = new ChannelIngress({
          channel: name,
          store,
          now: () => ctx.clock.now(),
          agents,
          defaultAgent: cfg.default_agent ?? agents[0] ?? "",
          actions: meshActions(ctx, name),
          maxInboundChars: MAX_INBOUND_CHARS,
          typing: (chatId) => adapter.typing(chatId),
          async reply(chatId, text) {
            // Chunks of one reply go strictly in order; the pacer spaces them and honours 429s.
            for (const chunk of splitMessage(text, adapter.maxChars))
              await pacer.run(chatId, () => adapter.send(chatId, chunk));
          },
          log: (event, detail) => logger?.info({ ...detail, event }, event),
        });
      }

      // Webhook paths exist whether or not their channel is configured (one fixed route table): 503 then.
      for (const [name, contracts] of webhooks)
        for (const contract of contracts)
          route(app, contract, async () => {
            throw MeshErrors.channelDown(name);
          });
      route(app, ChannelRoutes.channels, async () => ({
        channels: runtimes.map((rt) => {
          const s: ChannelStatus = rt.adapter?.status() ?? {
            name: rt.name,
            state: "missing_token",
            detail: `needs ${rt.missing}`,
          };
          const users = store!.users(rt.name);
          return {
            name: rt.name,
            state: s.state,
            detail: s.detail === null ? null : redact(s.detail, secrets),
            owner: users.find((u) => u.role === "owner")?.user_id ?? null,
            allowed: users.filter((u) => u.role === "allowed").length,
            pending_codes: store!.pendingCodes(rt.name, ctx.clock.now()).length,
          };
        }),
      }));
      route(app, ChannelRoutes.pairChannel, async (req) => {
        const name = req.params.name;
        if (!runtimes.some((rt) => rt.name === name)) throw MeshErrors.notFound(`channel ${name}`);
        const code = pairingCode(ctx, name);
        if (!code) throw MeshErrors.badRequest(`${name} already has the maximum of pending pairing codes`);
        ctx.audit({
          actor: "operator",
          action: "channel.pair",
          target: name,
          outcome: "ok",
          code: null,
          detail: null,
        });
        return { name, code: code.code, expires_at: code.expires_at };
      });
    },

    start(ctx) {
      for (const rt of runtimes) {
        const { adapter, ingress } = rt;
        if (!adapter || !ingress) {
          logger?.error({ channel: rt.name }, `${rt.name}: not started, needs ${rt.missing}`);
          continue;
        }
        if (!store!.owner(rt.name)) {
          const code = pairingCode(ctx, rt.name);
          if (code)
            logger?.info(
              { channel: rt.name },
              `${rt.name} pairing code: ${code.code} (send "/start ${code.code}" to your bot within an hour; \`openlegion channels pair ${rt.name}\` shows it again)`,
            );
        }
        void adapter.start(async (m) => {
          if (rt.inFlight >= MAX_IN_FLIGHT) return;
          rt.inFlight++;
          try {
            await ingress.handle(m);
          } catch (error) {
            logger?.warn(
              { channel: rt.name },
              redact(
                `message handling failed: ${error instanceof Error ? error.message : String(error)}`,
                secrets,
              ),
            );
            // An apology would break the same platform rule (WhatsApp's 24-hour window).
            if (!(error instanceof Undeliverable)) await ingress.apologise(m.chatId).catch(() => {});
          } finally {
            rt.inFlight--;
          }
        });
      }
    },

    async stop() {
      await Promise.all(runtimes.map((rt) => rt.adapter?.stop()));
      await egress?.close();
    },
  };
}
