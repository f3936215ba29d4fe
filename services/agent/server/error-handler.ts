import type { HttpErrorCodes } from "../../common/http/error-handler.js";
import { AgentErrors } from "../errors.js";

/**
 * The agent's codes for the shared error path (services/common/http/error-handler.ts). Fastify's own
 * 4xx (media type, malformed JSON …) all answer `AgentErrors.badRequest` with fastify's message.
 */
export const agentHttpErrors: HttpErrorCodes = {
  badRequest: AgentErrors.badRequest,
  bodyTooLarge: AgentErrors.bodyTooLarge,
  internal: AgentErrors.internal,
  routeNotFound: AgentErrors.notFound,
};
