import { STATUS_CODES } from "node:http";
import type { FastifyError, FastifyInstance } from "fastify";
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from "fastify-type-provider-zod";
import { isOlError, type OlError } from "../../common/errors.js";
import { MeshErrors } from "../errors.js";

/** Maps fastify's own failures (body parsing, validation) onto the mesh's stable codes. */
function toOlError(error: FastifyError, bodyLimit: number): OlError {
  if (isOlError(error)) return error;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const parts = error.validation.slice(0, 5).map((v) => {
      const path = v.instancePath ? v.instancePath.replace(/^\//, "").replaceAll("/", ".") : "";
      return `${error.validationContext ?? "request"}${path ? `.${path}` : ""}: ${v.message ?? "invalid"}`;
    });
    return MeshErrors.badRequest(parts.join("; "));
  }
  if (isResponseSerializationError(error)) return MeshErrors.internal();
  switch (error.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return MeshErrors.bodyTooLarge(bodyLimit);
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return MeshErrors.unsupportedMedia(String(error.message).split(": ").pop() ?? "");
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return MeshErrors.badJson("empty body");
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return MeshErrors.badRequest("content-length does not match the body");
  }
  if (error instanceof SyntaxError || (error.statusCode === 400 && /JSON/i.test(error.message))) {
    return MeshErrors.badJson(error.message.slice(0, 200));
  }
  if (typeof error.statusCode === "number" && error.statusCode >= 400 && error.statusCode < 500) {
    return MeshErrors.badRequest(error.message.slice(0, 300));
  }
  return MeshErrors.internal();
}

/**
 * The one error path (STYLE.md "Fastify services"): every failure replies `{statusCode, code, error,
 * message}`. Unknown errors are logged with their stack and answered with a generic 500.
 */
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
  app.setNotFoundHandler((req, reply) => {
    const ol = MeshErrors.notFound(`route ${req.method} ${req.url.split("?")[0]}`);
    return reply.code(404).send({ statusCode: 404, code: ol.code, error: "Not Found", message: ol.message });
  });
}
