import type { FastifyError } from "fastify";
import type { OlError } from "../../common/errors.js";
import type { HttpErrorCodes } from "../../common/http/error-handler.js";
import { MeshErrors } from "../errors.js";

/** Maps fastify's body-parsing failures onto the mesh's finer stable codes. */
function fromFastify(error: FastifyError): OlError | undefined {
  switch (error.code) {
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
  return undefined;
}

/** The mesh's codes for the shared error path (services/common/http/error-handler.ts). */
export const meshHttpErrors: HttpErrorCodes = {
  badRequest: MeshErrors.badRequest,
  bodyTooLarge: MeshErrors.bodyTooLarge,
  internal: MeshErrors.internal,
  routeNotFound: (what) => MeshErrors.notFound(`route ${what}`),
  fromFastify,
};
