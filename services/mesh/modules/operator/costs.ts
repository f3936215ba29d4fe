import { request } from "undici";
import { readCapped } from "../../../common/client/read-capped.js";
import { MeshRoutes } from "../../../common/contracts/mesh-routes.js";
import { ProxyAdminRoutes } from "../../../common/contracts/proxy-admin-routes.js";
import { operatorToken } from "../../../common/tokens.js";
import type { MeshContext } from "../../context.js";
import { errorText } from "../../delivery/agent-client.js";
import { MeshErrors } from "../../errors.js";

/**
 * Fetches `GET <proxy_admin_url>/admin/costs?period=…` with the operator token and relays any JSON
 * object: its fields are the proxy's contract (ProxyAdminRoutes.costs), which the CLI parses.
 */
export async function fetchCosts(ctx: MeshContext, period: string): Promise<Record<string, unknown>> {
  const base = ctx.config.proxy_admin_url.replace(/\/+$/, "");
  let status: number;
  let text: string;
  try {
    const res = await request(`${base}${ProxyAdminRoutes.costs.path}?period=${encodeURIComponent(period)}`, {
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
    const parsed = MeshRoutes.costs.response[200].safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
  } catch {
    // fall through
  }
  throw MeshErrors.proxyUnavailable("reply is not a JSON object");
}
