import type { FastifyInstance } from "fastify";
import { type Dispatcher, request } from "undici";
import { z } from "zod";
import { readCapped } from "../../../common/client/read-capped.js";
import { ChannelRoutes } from "../../../common/contracts/channel-routes.js";
import { route } from "../../../common/http/route.js";
import { tokensEqual } from "../../../common/tokens.js";
import { MeshErrors } from "../../errors.js";
import { MAX_BODY_BYTES, verifyWebhook } from "../orchestration/webhook/verify.js";
import { redact } from "./redact.js";
import { type Outcome, Supervisor } from "./supervisor.js";
import { type ChannelAdapter, type InboundMessage, RetryAfter, Undeliverable } from "./types.js";

export interface WhatsAppOptions {
  /** Bearer sent to apiRoot: the mesh's token at the egress proxy, which swaps in the access token. */
  bearer: string;
  appSecret: string;
  verifyToken: string;
  phoneNumberId: string;
  /** Graph API root: the egress proxy's `/api/_whatsapp` door. */
  apiRoot: string;
  http: Dispatcher;
  /** WhatsApp's pair rate: about one message every 6 s to the same user. */
  minIntervalMs: number;
  log: (level: "info" | "warn" | "error", msg: string) => void;
}

const GRAPH_VERSION = "v21.0";
/** Graph error codes that mean "slow down": throughput (130429), pair rate (131056), rate limit (80007, 4). */
const RATE_CODES = new Set([4, 80007, 130429, 131056]);
/** Graph error codes that mean the access token is bad or expired. */
const AUTH_CODES = new Set([190, 102]);

/** Free-form messages only within 24 h of the user's last message (Cloud API "customer service window"). */
const SERVICE_WINDOW_MS = 24 * 3600_000;
/** Graph's "Re-engagement message": sent outside the 24-hour window. */
const REENGAGEMENT_CODE = 131047;

const graphError = z.object({ error: z.object({ message: z.string(), code: z.number() }) });
/** Only the parts of a Cloud API webhook the mesh uses; everything else is ignored (statuses, other fields). */
const webhookBody = z.object({
  object: z.string(),
  entry: z
    .array(
      z.object({
        changes: z
          .array(
            z.object({
              field: z.string(),
              value: z.object({
                messages: z
                  .array(
                    z.object({
                      from: z.string().max(32),
                      id: z.string().max(256),
                      timestamp: z.string().max(20).optional(),
                      type: z.string(),
                      text: z.object({ body: z.string() }).optional(),
                    }),
                  )
                  .max(100)
                  .optional(),
              }),
            }),
          )
          .max(100),
      }),
    )
    .max(100),
});

class GraphFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: number | undefined,
    message: string,
  ) {
    super(message);
  }
}

/**
 * WhatsApp Cloud API: inbound on the mesh's own Fastify (GET verification handshake, POST signed with
 * X-Hub-Signature-256 = HMAC-SHA256(app secret, raw body); unsigned or wrongly signed → 401), outbound
 * Graph API `/<phone number id>/messages` through the egress proxy, which injects the access token.
 */
export class WhatsAppAdapter implements ChannelAdapter {
  readonly name = "whatsapp" as const;
  readonly maxChars = 4096;
  readonly minIntervalMs: number;
  readonly #sup: Supervisor;
  readonly #root: string;
  readonly #clean: (s: string) => string;
  #onMessage: ((m: InboundMessage) => Promise<void>) | undefined;
  /** Last inbound message per user: the typing indicator is attached to it, the 24-hour window runs from it. */
  readonly #lastInbound = new Map<string, { id: string; at: number }>();
  /** The last reply refused for the 24-hour window, shown in status. */
  #outsideWindow: string | undefined;

  constructor(private readonly o: WhatsAppOptions) {
    this.minIntervalMs = o.minIntervalMs;
    this.#root = `${o.apiRoot.replace(/\/+$/, "")}/${GRAPH_VERSION}`;
    this.#clean = (s) => redact(s, [o.bearer, o.appSecret, o.verifyToken]);
    this.#sup = new Supervisor(
      "whatsapp",
      (e) => this.#classify(e),
      (l, m) => o.log(l, this.#clean(m)),
    );
  }

  #classify(error: unknown): Outcome {
    if (error instanceof GraphFailure && (error.status === 401 || AUTH_CODES.has(error.code ?? -1)))
      return {
        fatal: true,
        state: "token_rejected",
        detail: `WhatsApp rejected the access token (${error.status}): check OPENLEGION_CRED_WHATSAPP_ACCESS_TOKEN`,
      };
    return { fatal: false, detail: this.#clean(error instanceof Error ? error.message : String(error)) };
  }

  async #graph(method: "GET" | "POST", path: string, body?: unknown): Promise<unknown> {
    const res = await request(`${this.#root}/${path}`, {
      dispatcher: this.o.http,
      method,
      headers: { authorization: `Bearer ${this.o.bearer}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await readCapped(res.body, 256 * 1024);
    if (res.statusCode >= 200 && res.statusCode < 300) return text === "" ? {} : JSON.parse(text);
    let parsed: z.output<typeof graphError> | undefined;
    try {
      parsed = graphError.parse(JSON.parse(text));
    } catch {
      parsed = undefined;
    }
    const code = parsed?.error.code;
    if (res.statusCode === 429 || RATE_CODES.has(code ?? -1))
      throw new RetryAfter(Number(res.headers["retry-after"] ?? 0) || this.minIntervalMs / 1000 || 1);
    throw new GraphFailure(
      res.statusCode,
      code,
      `Graph API ${res.statusCode}${code ? ` (code ${code})` : ""}: ${parsed?.error.message.slice(0, 200) ?? "no error body"}`,
    );
  }

  async start(onMessage: (m: InboundMessage) => Promise<void>): Promise<void> {
    this.#onMessage = onMessage;
    // "Connected" = the access token reads the phone number; then idle until stop (webhooks push to us).
    this.#sup.run(async () => {
      await this.#graph("GET", `${encodeURIComponent(this.o.phoneNumberId)}?fields=id`);
      this.#sup.set("connected", `phone number ${this.o.phoneNumberId}`);
      await this.#sup.untilStopped();
    });
  }

  async stop(): Promise<void> {
    this.#sup.stop();
    this.#onMessage = undefined;
  }

  async send(chatId: string, text: string): Promise<void> {
    const last = this.#lastInbound.get(chatId);
    if (!last || Date.now() - last.at > SERVICE_WINDOW_MS) this.#refuseOutsideWindow(chatId);
    await this.#graph("POST", `${encodeURIComponent(this.o.phoneNumberId)}/messages`, {
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to: chatId,
      type: "text",
      text: { preview_url: false, body: text },
    }).catch((error: unknown) => {
      if (error instanceof RetryAfter || error instanceof Undeliverable) throw error;
      if (error instanceof GraphFailure && error.code === REENGAGEMENT_CODE)
        this.#refuseOutsideWindow(chatId);
      throw new Error(
        this.#clean(`whatsapp send failed: ${error instanceof Error ? error.message : String(error)}`),
      );
    });
  }

  /**
   * WhatsApp lets a business send free-form text only within 24 hours of the user's last message; after
   * that only an approved template may be sent (not in this version): the reply is dropped, said clearly.
   */
  #refuseOutsideWindow(chatId: string): never {
    this.#outsideWindow = `last reply to ${chatId} not sent: outside WhatsApp's 24-hour customer-service window (the user has to write first; templates are not supported)`;
    this.o.log("warn", `whatsapp: ${this.#outsideWindow}`);
    throw new Undeliverable(`whatsapp: ${this.#outsideWindow}`);
  }

  async typing(chatId: string): Promise<void> {
    const messageId = this.#lastInbound.get(chatId)?.id;
    if (!messageId) return;
    await this.#graph("POST", `${encodeURIComponent(this.o.phoneNumberId)}/messages`, {
      messaging_product: "whatsapp",
      status: "read",
      message_id: messageId,
      typing_indicator: { type: "text" },
    }).catch(() => {});
  }

  status() {
    const s = this.#sup.status();
    return this.#outsideWindow && s.state === "connected"
      ? { ...s, detail: `${s.detail}; ${this.#outsideWindow}` }
      : s;
  }

  /** GET: Meta's subscription handshake; POST: signed deliveries, acknowledged at once and handled after. */
  async routes(app: FastifyInstance): Promise<boolean> {
    await app.register(async (hooks) => {
      hooks.removeAllContentTypeParsers();
      hooks.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: MAX_BODY_BYTES }, (_req, body, done) =>
        done(null, body),
      );
      route(hooks, ChannelRoutes.whatsappVerify, async (req, reply) => {
        const q = req.query;
        const token = typeof q["hub.verify_token"] === "string" ? q["hub.verify_token"] : "";
        const challenge = typeof q["hub.challenge"] === "string" ? q["hub.challenge"] : "";
        if (
          q["hub.mode"] !== "subscribe" ||
          !tokensEqual(token, this.o.verifyToken) ||
          !/^[A-Za-z0-9_-]{1,128}$/.test(challenge)
        )
          return reply.code(403).type("text/plain").send("verification failed");
        return reply.code(200).type("text/plain").send(challenge);
      });
      route(hooks, ChannelRoutes.whatsappEvents, async (req, reply) => {
        const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const v = verifyWebhook({
          headers: { "x-hub-signature-256": req.headers["x-hub-signature-256"] },
          body: raw,
          secrets: [this.o.appSecret],
          nowMs: Date.now(),
        });
        if (!v.ok) throw MeshErrors.unauthenticated(`whatsapp webhook: ${v.reason}`);
        const onMessage = this.#onMessage;
        if (!onMessage) throw MeshErrors.channelDown("whatsapp");
        let body: z.output<typeof webhookBody>;
        try {
          body = webhookBody.parse(JSON.parse(raw.toString("utf8")));
        } catch {
          throw MeshErrors.badRequest("not a WhatsApp Cloud API webhook body");
        }
        for (const change of body.entry.flatMap((e) => e.changes))
          for (const m of change.value.messages ?? []) {
            if (m.type !== "text" || !m.text) continue;
            // The window runs from when the user wrote (Meta's timestamp), not from when it reached us.
            const sentAt = Number(m.timestamp) * 1000;
            this.#remember(
              m.from,
              m.id,
              Number.isFinite(sentAt) && sentAt > 0 ? Math.min(sentAt, Date.now()) : Date.now(),
            );
            void onMessage({
              channel: "whatsapp",
              messageId: m.id,
              userId: m.from,
              chatId: m.from,
              text: m.text.body,
            });
          }
        return reply.code(200).send({ ok: true });
      });
    });
    return true;
  }

  #remember(user: string, messageId: string, at: number): void {
    this.#lastInbound.delete(user);
    this.#lastInbound.set(user, { id: messageId, at });
    if (this.#lastInbound.size > 10_000)
      this.#lastInbound.delete(this.#lastInbound.keys().next().value as string);
  }
}
