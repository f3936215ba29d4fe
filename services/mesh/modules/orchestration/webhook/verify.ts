import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Webhook signature checks over the RAW body (research/mesh.md §5), pure and constant-time:
 *  - Standard Webhooks: `webhook-id`, `webhook-timestamp` (unix s), `webhook-signature: v1,<base64> …`
 *    over `{id}.{timestamp}.{body}`; ±300 s tolerance both ways; several signatures allowed (rotation).
 *  - GitHub style: `x-hub-signature-256: sha256=<hex>` over the body; no timestamp, so replay
 *    protection comes from `x-github-delivery` dedupe.
 * Every secret in `secrets` is tried (rotation). Nothing here parses the body.
 */
export const TOLERANCE_S = 300;
export const MAX_BODY_BYTES = 1024 * 1024;

export type VerifyResult =
  | { ok: true; scheme: "standard" | "github"; deliveryId: string | null }
  | { ok: false; reason: string };

type Headers = Record<string, string | string[] | undefined>;
const header = (h: Headers, name: string): string | undefined => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Standard Webhooks secrets are `whsec_<base64>`; anything else is used as raw UTF-8 bytes. */
export function secretBytes(secret: string): Buffer {
  return secret.startsWith("whsec_") ? Buffer.from(secret.slice(6), "base64") : Buffer.from(secret, "utf8");
}

export function signStandard(secret: string, id: string, timestamp: number, body: Buffer): string {
  const mac = createHmac("sha256", secretBytes(secret))
    .update(`${id}.${timestamp}.`)
    .update(body)
    .digest("base64");
  return `v1,${mac}`;
}

export function signGithub(secret: string, body: Buffer): string {
  return `sha256=${createHmac("sha256", secretBytes(secret)).update(body).digest("hex")}`;
}

export function verifyWebhook(args: {
  headers: Headers;
  body: Buffer;
  secrets: readonly string[];
  nowMs: number;
  toleranceS?: number;
}): VerifyResult {
  const { headers, body, secrets } = args;
  if (secrets.length === 0) return { ok: false, reason: "no secret is configured for this webhook" };
  if (body.length > MAX_BODY_BYTES) return { ok: false, reason: "body too large" };
  const std = header(headers, "webhook-signature");
  if (std !== undefined) {
    const id = header(headers, "webhook-id");
    const ts = header(headers, "webhook-timestamp");
    if (!id || !ts) return { ok: false, reason: "webhook-id and webhook-timestamp headers are required" };
    if (!/^\d{1,12}$/.test(ts))
      return { ok: false, reason: "webhook-timestamp is not a unix time in seconds" };
    const skew = Math.abs(args.nowMs / 1000 - Number(ts));
    if (skew > (args.toleranceS ?? TOLERANCE_S))
      return { ok: false, reason: "timestamp outside the 300 s tolerance" };
    const presented = std
      .split(" ")
      .filter((s) => s.startsWith("v1,"))
      .map((s) => Buffer.from(s.slice(3), "base64"));
    if (presented.length === 0) return { ok: false, reason: "no v1 signature in webhook-signature" };
    for (const secret of secrets) {
      const expected = Buffer.from(signStandard(secret, id, Number(ts), body).slice(3), "base64");
      if (presented.some((p) => safeEqual(p, expected)))
        return { ok: true, scheme: "standard", deliveryId: id };
    }
    return { ok: false, reason: "signature does not match" };
  }
  const gh = header(headers, "x-hub-signature-256");
  if (gh !== undefined) {
    if (!/^sha256=[0-9a-f]{64}$/i.test(gh))
      return { ok: false, reason: "x-hub-signature-256 must be sha256=<64 hex>" };
    const presented = Buffer.from(gh.slice(7).toLowerCase(), "hex");
    for (const secret of secrets) {
      const expected = Buffer.from(signGithub(secret, body).slice(7), "hex");
      if (safeEqual(presented, expected))
        return { ok: true, scheme: "github", deliveryId: header(headers, "x-github-delivery") ?? null };
    }
    return { ok: false, reason: "signature does not match" };
  }
  return { ok: false, reason: "missing signature (send webhook-signature or x-hub-signature-256)" };
}
