import type { FastifyInstance } from "fastify";
import type { z } from "zod";
import { AgentRoutes } from "../../../common/contracts/agent-routes.js";
import type { RouteContract } from "../../../common/contracts/contract.js";
import { MeshRoutes } from "../../../common/contracts/mesh-routes.js";
import { route } from "../../../common/http/route.js";
import type { MeshContext } from "../../context.js";
import { callAgent, unreachableText } from "../../delivery/agent-client.js";
import { MeshErrors } from "../../errors.js";
import type { AgentEntry } from "../../identity.js";

const MAX_REPLY = 1_048_576;

/** One call to the agent, its JSON reply parsed with the contract's schema; its 404 stays a 404. */
async function relay<T extends z.ZodType>(
  ctx: MeshContext,
  agent: AgentEntry,
  contract: RouteContract,
  schema: T,
  body?: unknown,
): Promise<z.output<T>> {
  let res: Awaited<ReturnType<typeof callAgent>>;
  try {
    res = await callAgent(agent, contract, {
      http: ctx.http,
      tokens: ctx.identity,
      timeoutMs: ctx.limits.push_timeout_ms,
      ...(body === undefined ? {} : { body }),
    });
  } catch (error) {
    throw MeshErrors.agentUnavailable(agent.id, unreachableText(error));
  }
  const text = await res.body.text();
  if (text.length > MAX_REPLY) throw MeshErrors.agentBadReply(agent.id, "reply too large");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw MeshErrors.agentBadReply(agent.id, `HTTP ${res.statusCode}, not JSON`);
  }
  if (res.statusCode === 404) {
    const message = (json as { message?: unknown }).message;
    throw MeshErrors.notFound(
      typeof message === "string" ? message.replace(/ not found$/, "") : "MCP server",
    );
  }
  const parsed = schema.safeParse(json);
  if (res.statusCode !== 200 || !parsed.success)
    throw MeshErrors.agentBadReply(agent.id, `HTTP ${res.statusCode}`);
  return parsed.data;
}

/** `openlegion mcp list|approve`: the agent's MCP view and approvals of held tools, relayed. */
export function registerMcpRelay(app: FastifyInstance, ctx: MeshContext): void {
  route(app, MeshRoutes.mcpServers, async (req) => {
    const agent = ctx.identity.agent(req.params.id);
    return relay(ctx, agent, AgentRoutes.mcpServers, MeshRoutes.mcpServers.response[200]);
  });

  route(app, MeshRoutes.mcpApprove, async (req) => {
    const agent = ctx.identity.agent(req.params.id);
    const audit = (outcome: "ok" | "error", code: string | null) =>
      ctx.audit({
        actor: "operator",
        action: "mcp_approve",
        target: agent.id,
        outcome,
        code,
        detail: { server: req.body.server, tool: req.body.tool },
      });
    try {
      const r = await relay(
        ctx,
        agent,
        AgentRoutes.mcpApprove,
        MeshRoutes.mcpApprove.response[200],
        req.body,
      );
      audit("ok", null);
      return r;
    } catch (error) {
      audit("error", (error as { code?: string }).code ?? null);
      throw error;
    }
  });
}
