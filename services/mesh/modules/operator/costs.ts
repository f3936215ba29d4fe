import { request } from "undici";
import { z } from "zod";
import { operatorToken } from "../../../common/tokens.js";
import type { MeshContext } from "../../context.js";
import { errorText, readCapped } from "../../delivery/agent-client.js";
import { MeshErrors } from "../../errors.js";

export const costsQuerySchema = z.object({ period: z.enum(["today", "month", "all"]).default("today") });

/** The proxy's costs report, relayed as JSON (an object; its fields belong to the proxy's contract). */
export const costsReplySchema = z.record(z.string(), z.unknown());

/** Fetches `GET <proxy_admin_url>/admin/costs?period=…` with the operator token. */
export async function fetchCosts(ctx: MeshContext, period: string): Promise<Record<string, unknown>> {
  const base = ctx.config.proxy_admin_url.replace(/\/+$/, "");
  let status: number;
  let text: string;
  try {
    const res = await request(`${base}/admin/costs?period=${encodeURIComponent(period)}`, {
      dispatcher: ctx.http,
      method: "GET",
      headers: { authorization: `Bearer ${operatorToken(ctx.masterKey)}`, accept: "application/json" },
      signal: AbortSignal.timeout(ctx.limits.health_timeout_ms * 2),
    });
    status = res.statusCode;
    text = await readCapped(res.body, 4 * 1024 * 1024);
  } catch (error) {
    throw MeshErrors.proxyUnavailable(errorText(error));
  }
  if (status < 200 || status >= 300) throw MeshErrors.proxyUnavailable(`HTTP ${status}`);
  try {
    const parsed = costsReplySchema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
  } catch {
    // fall through
  }
  throw MeshErrors.proxyUnavailable("reply is not a JSON object");
}
