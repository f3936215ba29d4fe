import { OlError } from "../../services/common/errors.js";

/**
 * Errors of the compiler (listed in docs/errors/render.md). Each carries an exit code for the CLI:
 * 2 when the fleet config (or .env) is what must change, 1 for environment and I/O failures.
 */
export const RenderCodes = {
  POOL_INVALID: "OL_ERR_RENDER_POOL_INVALID",
  POOL_EXHAUSTED: "OL_ERR_RENDER_POOL_EXHAUSTED",
  NAME_COLLISION: "OL_ERR_RENDER_NAME_COLLISION",
  UNKNOWN_PROVIDER: "OL_ERR_RENDER_UNKNOWN_PROVIDER",
  UNKNOWN_API: "OL_ERR_RENDER_UNKNOWN_API",
  MESH_REFUSES: "OL_ERR_RENDER_MESH_REFUSES",
  ENV_MISSING: "OL_ERR_RENDER_ENV_MISSING",
  SECRET_MISSING: "OL_ERR_RENDER_SECRET_MISSING",
  DOLLAR_IN_KEY: "OL_ERR_RENDER_DOLLAR_IN_KEY",
  NOT_PLAIN: "OL_ERR_RENDER_NOT_PLAIN",
  BAD_VALUE: "OL_ERR_RENDER_BAD_VALUE",
  OUTPUT_INVALID: "OL_ERR_RENDER_OUTPUT_INVALID",
  WRITE_FAILED: "OL_ERR_RENDER_WRITE_FAILED",
  COMPOSE_UNREADABLE: "OL_ERR_RENDER_COMPOSE_UNREADABLE",
  SWARM_UNSUPPORTED: "OL_ERR_RENDER_SWARM_UNSUPPORTED",
  LOCAL_STATE: "OL_ERR_RENDER_LOCAL_STATE",
} as const;

export type RenderCode = (typeof RenderCodes)[keyof typeof RenderCodes];

/** A config problem found while compiling: exit code 2, nothing written. */
export function renderConfigError(
  code: RenderCode,
  message: string,
  details?: Record<string, unknown>,
): OlError {
  return new OlError(code, message, 400, { details: { exitCode: 2, ...details } });
}

/** An I/O or environment failure: exit code 1. */
export function renderFailure(code: RenderCode, message: string, cause?: unknown): OlError {
  return new OlError(code, message, 500, { cause, details: { exitCode: 1 } });
}
