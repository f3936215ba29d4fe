import { MeshRoutes } from "../../../common/contracts/mesh-routes.js";
import { ProxyAdminRoutes } from "../../../common/contracts/proxy-admin-routes.js";
import type { MeshContext } from "../../context.js";
import { proxyAdmin } from "./proxy-admin.js";

/**
 * Fetches `GET <proxy_admin_url>/admin/costs?period=…` with the operator token and relays any JSON
 * object: its fields are the proxy's contract (ProxyAdminRoutes.costs), which the CLI parses.
 */
export function fetchCosts(ctx: MeshContext, period: string): Promise<Record<string, unknown>> {
  return proxyAdmin(ctx, ProxyAdminRoutes.costs, MeshRoutes.costs.response[200], { query: { period } });
}
