import { createHmac, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";

/**
 * A faithful fake of the WhatsApp Cloud API on loopback: the Graph API paths
 * (`GET /v21.0/<phone number id>`, `POST /v21.0/<phone number id>/messages` with a Bearer token),
 * Graph's error shape `{error: {message, type, code, fbtrace_id}}` (190 for a bad token, 131056 for the
 * pair rate limit, 100 for a body over 4096 characters), and the webhook side: it POSTs Meta's
 * `whatsapp_business_account` payloads to the mesh, signed `X-Hub-Signature-256: sha256=HMAC(app
 * secret, raw body)`, and runs the GET `hub.challenge` handshake. It records what it was sent.
 */

export interface Sent {
  to: string;
  text: string;
}

export interface FakeWhatsApp {
  url: string;
  accessToken: string;
  appSecret: string;
  phoneNumberId: string;
  readonly sent: Sent[];
  readonly typing: string[];
  readonly requests: { method: string; path: string; auth: string | undefined }[];
  /** A user writes; the signed webhook is POSTed to `webhookUrl`. Resolves with the mesh's status and the message id. */
  /** `sentAt` (ms): when the user wrote, as Meta's `timestamp` says (a late redelivery is older). */
  userSays(
    waId: string,
    text: string,
    opts?: { id?: string; sentAt?: number },
  ): Promise<{ status: number; id: string }>;
  /** POSTs a raw body with the given headers (bad signatures, status-only payloads). */
  post(body: string, headers: Record<string, string>): Promise<number>;
  sign(body: string): string;
  /** Sends refused with 131056 so far. */
  readonly rateLimited: number;
  /** The next `count` sends fail with Graph error 131056 (pair rate limit). */
  rateLimitNext(count: number): void;
  webhookUrl: string;
  to(waId: string): string[];
  close(): Promise<void>;
}

/** The fields of a `/messages` call the Cloud API checks here (text sends and typing indicators). */
const sendBody = z.object({
  messaging_product: z.string().optional(),
  to: z.string().optional(),
  type: z.string().optional(),
  text: z.object({ body: z.string() }).optional(),
  status: z.string().optional(),
  message_id: z.string().optional(),
  typing_indicator: z.object({ type: z.string() }).optional(),
});

const graphError = (
  res: ServerResponse,
  status: number,
  code: number,
  message: string,
  type = "OAuthException",
) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify({ error: { message, type, code, fbtrace_id: "Afake" } }));
};
const json = (res: ServerResponse, body: unknown) => {
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
};

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on("data", (c: Buffer) => parts.push(c));
    req.on("end", () => resolve(Buffer.concat(parts).toString("utf8")));
    req.on("error", reject);
  });
}

export async function startFakeWhatsApp(opts: { accessToken?: string } = {}): Promise<FakeWhatsApp> {
  const accessToken = opts.accessToken ?? `EAAG${randomBytes(24).toString("hex")}`;
  const appSecret = randomBytes(16).toString("hex");
  const phoneNumberId = "106540352242922";
  const sent: Sent[] = [];
  const typing: string[] = [];
  const requests: FakeWhatsApp["requests"] = [];
  let limited = 0;
  let rateLimited = 0;
  let nextId = 1;

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0]!;
    const auth = req.headers.authorization;
    requests.push({ method: req.method ?? "", path, auth });
    readBody(req).then((text) => {
      if (auth !== `Bearer ${accessToken}`)
        return graphError(res, 401, 190, "Invalid OAuth access token - Cannot parse access token");
      if (req.method === "GET" && path === `/v21.0/${phoneNumberId}`) return json(res, { id: phoneNumberId });
      if (req.method !== "POST" || path !== `/v21.0/${phoneNumberId}/messages`)
        return graphError(res, 400, 100, "Unsupported request", "GraphMethodException");
      let body: z.output<typeof sendBody>;
      try {
        body = sendBody.parse(JSON.parse(text));
      } catch {
        return graphError(res, 400, 100, "Invalid parameter");
      }
      if (body.messaging_product !== "whatsapp")
        return graphError(res, 400, 100, "messaging_product is required");
      if (body.status === "read") {
        if (body.typing_indicator?.type === "text") typing.push(String(body.message_id));
        return json(res, { success: true });
      }
      if (limited > 0) {
        limited--;
        rateLimited++;
        return graphError(
          res,
          400,
          131056,
          "(#131056) (Business Account, Consumer Account) pair rate limit hit",
        );
      }
      const msg = String(body.text?.body ?? "");
      if (body.type !== "text" || msg === "")
        return graphError(res, 400, 100, "Param text['body'] is required");
      if (msg.length > 4096)
        return graphError(res, 400, 100, "Param text['body'] must be at most 4096 characters long.");
      sent.push({ to: String(body.to), text: msg });
      json(res, {
        messaging_product: "whatsapp",
        contacts: [{ input: body.to, wa_id: body.to }],
        messages: [{ id: `wamid.out${nextId++}` }],
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  const sign = (body: string) => `sha256=${createHmac("sha256", appSecret).update(body).digest("hex")}`;

  const fake: FakeWhatsApp = {
    url: `http://127.0.0.1:${port}`,
    accessToken,
    appSecret,
    phoneNumberId,
    sent,
    typing,
    requests,
    webhookUrl: "",
    sign,
    async post(body, headers) {
      const res = await fetch(fake.webhookUrl, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body,
      });
      await res.text();
      return res.status;
    },
    async userSays(waId, text, o = {}) {
      const id = o.id ?? `wamid.in${nextId++}`;
      const body = JSON.stringify({
        object: "whatsapp_business_account",
        entry: [
          {
            id: "102290129340398",
            changes: [
              {
                field: "messages",
                value: {
                  messaging_product: "whatsapp",
                  metadata: { display_phone_number: "15550783881", phone_number_id: phoneNumberId },
                  contacts: [{ profile: { name: `user ${waId}` }, wa_id: waId }],
                  messages: [
                    {
                      from: waId,
                      id,
                      timestamp: String(Math.floor((o.sentAt ?? Date.now()) / 1000)),
                      type: "text",
                      text: { body: text },
                    },
                  ],
                },
              },
            ],
          },
        ],
      });
      return { status: await fake.post(body, { "x-hub-signature-256": sign(body) }), id };
    },
    get rateLimited() {
      return rateLimited;
    },
    rateLimitNext(count) {
      limited = count;
    },
    to: (waId) => sent.filter((m) => m.to === waId).map((m) => m.text),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  return fake;
}
