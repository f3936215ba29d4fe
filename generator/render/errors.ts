import { type CodeOf, errorKinds } from "../../services/common/errors.js";

const kind = errorKinds("RENDER", { cli: true });

/**
 * Errors of the compiler (listed in docs/errors/render.md). Status 400: the fleet config (or .env) is
 * what must change, exit code 2 and nothing written; 500: environment and I/O failures, exit code 1.
 */
export const RenderErrors = {
  poolInvalid: kind("OL_ERR_RENDER_POOL_INVALID", 400),
  poolExhausted: kind("OL_ERR_RENDER_POOL_EXHAUSTED", 400),
  nameCollision: kind("OL_ERR_RENDER_NAME_COLLISION", 400),
  unknownProvider: kind("OL_ERR_RENDER_UNKNOWN_PROVIDER", 400),
  unknownApi: kind("OL_ERR_RENDER_UNKNOWN_API", 400),
  meshRefuses: kind("OL_ERR_RENDER_MESH_REFUSES", 400),
  envMissing: kind("OL_ERR_RENDER_ENV_MISSING", 400),
  secretMissing: kind("OL_ERR_RENDER_SECRET_MISSING", 400),
  dollarInKey: kind("OL_ERR_RENDER_DOLLAR_IN_KEY", 400),
  badValue: kind("OL_ERR_RENDER_BAD_VALUE", 400),
  notPlain: kind("OL_ERR_RENDER_NOT_PLAIN", 500),
  outputInvalid: kind("OL_ERR_RENDER_OUTPUT_INVALID", 500),
  writeFailed: kind("OL_ERR_RENDER_WRITE_FAILED", 500),
  composeUnreadable: kind("OL_ERR_RENDER_COMPOSE_UNREADABLE", 500),
  swarmUnsupported: kind("OL_ERR_RENDER_SWARM_UNSUPPORTED", 400),
  localState: kind("OL_ERR_RENDER_LOCAL_STATE", 400),
};

export type RenderCode = CodeOf<typeof RenderErrors>;
