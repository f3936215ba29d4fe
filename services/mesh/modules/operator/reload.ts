import { request } from "undici";
import { readCapped } from "../../../common/client/read-capped.js";
import { ProxyAdminRoutes } from "../../../common/contracts/proxy-admin-routes.js";
import { operatorToken } from "../../../common/tokens.js";
import type { MeshContext } from "../../context.js";
import { errorText } from "../../delivery/agent-client.js";
import { MeshErrors } from "../../errors.js";

/**
 * POST /v1/admin/reload: the proxy re-reads its config.json first (while this app's HTTP client is
 * still the current one), then the mesh switches to a new app built from its own. Both also watch
 * the files; `openlegion up` calls this so the new config is live before a hot-added agent starts.
 */
export async function reloadFleet(ctx: MeshContext): Promise<{ mesh_agents: number; proxy_agents: number }> {
  if (!ctx.reloadConfig) throw MeshErrors.config("this mesh was not started from a config file");
  const base = ctx.config.proxy_admin_url.replace(/\/+$/, "");
  let status: number;
  let text: string;
  try {
    const res = await request(`${base}${ProxyAdminRoutes.reload.path}`, {
      dispatcher: ctx.http,
      method: "POST",
      headers: { authorization: `Bearer ${operatorToken(ctx.masterKey)}`, accept: "application/json" },
      signal: AbortSignal.timeout(ctx.limits.health_timeout_ms * 2),
    });
    status = res.statusCode;
    text = await readCapped(res.body, 64 * 1024);
  } catch (error) {
    throw MeshErrors.proxyUnavailable(errorText(error));
  }
  if (status !== 200) throw MeshErrors.proxyUnavailable(`reload: HTTP ${status} ${text.slice(0, 300)}`);
  const parsed = ProxyAdminRoutes.reload.response[200].safeParse(JSON.parse(text));
  if (!parsed.success) throw MeshErrors.proxyUnavailable("reload: unexpected reply");
  return { proxy_agents: parsed.data.agents, mesh_agents: await ctx.reloadConfig() };
}
