import type { FastifyInstance } from "fastify";
import { AgentRoutes } from "../../common/contracts/agent-routes.js";
import { route } from "../../common/http/route.js";
import { AgentErrors } from "../errors.js";
import type { McpToolProvider } from "../mcp/provider.js";

/**
 * The operator's view of the agent's MCP servers (relayed by the mesh for `openlegion mcp`): state,
 * transport, negotiated revision, and the held tools, which only an approval offers again.
 */
export function registerMcpRoutes(app: FastifyInstance, servers: readonly McpToolProvider[]): void {
  route(app, AgentRoutes.mcpServers, async () => ({ servers: servers.map((s) => s.view()) }));

  route(app, AgentRoutes.mcpApprove, async (req) => {
    const { server, tool } = req.body;
    const provider = servers.find((s) => s.connection.spec.name === server);
    if (!provider) throw AgentErrors.notFound(`MCP server ${JSON.stringify(server)}`);
    if (!provider.approve(tool))
      throw AgentErrors.notFound(`held tool ${JSON.stringify(tool)} of MCP server ${JSON.stringify(server)}`);
    return { server, tool, approved: true as const };
  });
}
