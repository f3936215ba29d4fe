import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import { serializerCompiler, validatorCompiler } from "fastify-type-provider-zod";
import { registerErrorHandler } from "../../common/http/error-handler.js";
import { registerJsonParser } from "../../common/http/json-body.js";
import { ServiceLogController } from "../../common/log.js";
import type { McpToolProvider } from "../mcp/provider.js";
import type { AgentRuntime } from "../runtime/agent-runtime.js";
import { registerMeshAuth } from "./auth.js";
import { agentHttpErrors } from "./error-handler.js";
import { registerMcpRoutes } from "./mcp-routes.js";
import { registerRoutes } from "./routes.js";

export const BODY_LIMIT = 1_048_576;

export interface AgentAppDeps {
  runtime: AgentRuntime;
  meshToken: string;
  dataRoot: string;
  agentId: string;
  /** The MCP servers, for the operator's `openlegion mcp` routes (none: an empty list). */
  mcp?: readonly McpToolProvider[];
  /** A pino instance (the runtime shares it); none = silent. */
  logger?: FastifyBaseLogger;
}

/** Builds the agent's HTTP app without listening (STYLE.md "Fastify services"); main.ts listens. */
export async function buildApp(deps: AgentAppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    bodyLimit: BODY_LIMIT,
    onProtoPoisoning: "error",
    onConstructorPoisoning: "error",
    return503OnClosing: true,
    logController: new ServiceLogController(),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandler(app, { bodyLimit: BODY_LIMIT, codes: agentHttpErrors });
  registerJsonParser(app);
  registerMeshAuth(app, deps.meshToken);
  registerRoutes(app, deps.runtime, deps.dataRoot, deps.agentId);
  registerMcpRoutes(app, deps.mcp ?? []);
  await app.ready();
  return app;
}
