import { STATUS_CODES } from "node:http";
import type { FastifyError, FastifyInstance, FastifyReply } from "fastify";
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from "fastify-type-provider-zod";
import { isOlError, type OlError } from "../errors.js";

/** The service's own stable codes for the failures every fastify service shares. */
export interface HttpErrorCodes {
  badRequest(message: string): OlError;
  bodyTooLarge(limit: number): OlError;
  /** The generic 500; its message must carry no detail of the failure. */
  internal(): OlError;
  /** `what` is `"<METHOD> <path>"` without the query string. */
  routeNotFound(what: string): OlError;
  /**
   * Finer codes for fastify's own failures (media type, empty or malformed JSON …), tried after the
   * shared mappings; `undefined` falls back to `badRequest` for a 4xx and `internal` otherwise.
   */
  fromFastify?(error: FastifyError): OlError | undefined;
}

export interface ErrorHandlerOptions {
  readonly bodyLimit: number;
  readonly codes: HttpErrorCodes;
}

/** Maps any thrown value onto an OlError: our own pass through, fastify's get the service's codes. */
export function toOlError(error: FastifyError, { bodyLimit, codes }: ErrorHandlerOptions): OlError {
  if (isOlError(error)) return error;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const parts = error.validation.slice(0, 5).map((v) => {
      const path = v.instancePath ? v.instancePath.replace(/^\//, "").replaceAll("/", ".") : "";
      return `${error.validationContext ?? "request"}${path ? `.${path}` : ""}: ${v.message ?? "invalid"}`;
    });
    return codes.badRequest(parts.join("; "));
  }
  if (isResponseSerializationError(error)) return codes.internal();
  if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE") return codes.bodyTooLarge(bodyLimit);
  const specific = codes.fromFastify?.(error);
  if (specific) return specific;
  if (typeof error.statusCode === "number" && error.statusCode >= 400 && error.statusCode < 500) {
    return codes.badRequest(error.message.slice(0, 300));
  }
  return codes.internal();
}

function send(reply: FastifyReply, ol: OlError): FastifyReply {
  const retry = ol.details?.retry_after_s;
  if (typeof retry === "number") reply.header("retry-after", String(retry));
  return reply.code(ol.status).send({
    statusCode: ol.status,
    code: ol.code,
    error: STATUS_CODES[ol.status] ?? "Error",
    message: ol.message,
  });
}

/**
 * The one error path (STYLE.md "Fastify services"): every failure, unknown routes included, replies
 * `{statusCode, code, error, message}`. 5xx are logged with their stack and answered generically.
 */
export function registerErrorHandler(app: FastifyInstance, options: ErrorHandlerOptions): void {
  app.setErrorHandler((error: FastifyError, req, reply) => {
    const ol = toOlError(error, options);
    if (ol.status >= 500) req.log.error({ err: error }, "request failed");
    return send(reply, ol);
  });
  app.setNotFoundHandler((req, reply) =>
    send(reply, options.codes.routeNotFound(`${req.method} ${req.url.split("?")[0]}`)),
  );
}
