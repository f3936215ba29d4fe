import { STATUS_CODES } from "node:http";
import type { FastifyError, FastifyInstance } from "fastify";
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from "fastify-type-provider-zod";
import { isOlError, type OlError } from "../../common/errors.js";
import { AgentErrors } from "../errors.js";

function toOlError(error: FastifyError, bodyLimit: number): OlError {
  if (isOlError(error)) return error;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const parts = error.validation.slice(0, 5).map((v) => {
      const path = v.instancePath ? v.instancePath.replace(/^\//, "").replaceAll("/", ".") : "";
      return `${error.validationContext ?? "request"}${path ? `.${path}` : ""}: ${v.message ?? "invalid"}`;
    });
    return AgentErrors.badRequest(parts.join("; "));
  }
  if (isResponseSerializationError(error)) return AgentErrors.internal();
  if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE") return AgentErrors.bodyTooLarge(bodyLimit);
  if (typeof error.statusCode === "number" && error.statusCode >= 400 && error.statusCode < 500) {
    return AgentErrors.badRequest(error.message.slice(0, 300));
  }
  return AgentErrors.internal();
}

/** One error path: every failure replies `{statusCode, code, error, message}`; 5xx are logged with stacks. */
export function registerErrorHandler(app: FastifyInstance, bodyLimit: number): void {
  app.setErrorHandler((error: FastifyError, req, reply) => {
    const ol = toOlError(error, bodyLimit);
    if (ol.status >= 500) req.log.error({ err: error }, "request failed");
    const retry = ol.details?.retry_after_s;
    if (typeof retry === "number") reply.header("retry-after", String(retry));
    return reply.code(ol.status).send({
      statusCode: ol.status,
      code: ol.code,
      error: STATUS_CODES[ol.status] ?? "Error",
      message: ol.message,
    });
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({
      statusCode: 404,
      code: "OL_ERR_AGENT_NOT_FOUND",
      error: "Not Found",
      message: `${req.method} ${req.url.split("?")[0]} not found`,
    }),
  );
}
