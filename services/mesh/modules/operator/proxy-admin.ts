import { request } from "undici";
import type { z } from "zod";
import { readCapped } from "../../../common/client/read-capped.js";
import { pathOf, queryString, type RouteContract } from "../../../common/contracts/contract.js";
import { operatorToken } from "../../../common/tokens.js";
import type { MeshContext } from "../../context.js";
import { errorText } from "../../delivery/agent-client.js";
import { MeshErrors } from "../../errors.js";

/**
 * Calls one of the proxy's admin routes (ProxyAdminRoutes) with the operator token and parses the
 * reply with `schema`. Any failure (no answer, non-2xx, a reply outside the schema) is
 * MeshErrors.proxyUnavailable; the reply is capped at 4 MiB.
 */
export async function proxyAdmin<S extends z.ZodType>(
  ctx: MeshContext,
  contract: RouteContract,
  schema: S,
  args: { params?: Record<string, unknown>; query?: Record<string, unknown> } = {},
): Promise<z.output<S>> {
  const base = ctx.config.proxy_admin_url.replace(/\/+$/, "");
  const url = `${base}${pathOf(contract, args.params)}${queryString(args.query)}`;
  let status: number;
  let text: string;
  try {
    const res = await request(url, {
      dispatcher: ctx.http,
      method: contract.method,
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
    const parsed = schema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
  } catch {
    // fall through
  }
  throw MeshErrors.proxyUnavailable("reply does not match the proxy's contract");
}
