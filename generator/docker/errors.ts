import { OlError } from "../../services/common/errors.js";

/**
 * Errors of the Docker/Compose layer and the fleet lifecycle commands (docs/errors/fleet.md). Each
 * message says what to do next; exit code 1 unless the user's input is what must change (2).
 */
export const FleetCodes = {
  DOCKER_MISSING: "OL_ERR_DOCKER_MISSING",
  DOCKER_DAEMON_DOWN: "OL_ERR_DOCKER_DAEMON_DOWN",
  DOCKER_PERMISSION: "OL_ERR_DOCKER_PERMISSION",
  COMPOSE_MISSING: "OL_ERR_COMPOSE_MISSING",
  COMPOSE_FAILED: "OL_ERR_COMPOSE_FAILED",
  DOCKER_FAILED: "OL_ERR_DOCKER_FAILED",
  BUILD_FAILED: "OL_ERR_BUILD_FAILED",
  BUILD_NO_DIST: "OL_ERR_BUILD_NO_DIST",
  BUILD_NO_BASE: "OL_ERR_BUILD_NO_BASE",
  BUILD_BAD_CA: "OL_ERR_BUILD_BAD_CA",
  NOT_RENDERED: "OL_ERR_FLEET_NOT_RENDERED",
  UNHEALTHY: "OL_ERR_FLEET_UNHEALTHY",
  TIMEOUT: "OL_ERR_FLEET_TIMEOUT",
  NEEDS_CONFIRMATION: "OL_ERR_FLEET_NEEDS_CONFIRMATION",
  UNKNOWN_SERVICE: "OL_ERR_FLEET_UNKNOWN_SERVICE",
  MESH_UNREACHABLE: "OL_ERR_CLIENT_UNREACHABLE",
  MESH_REFUSED: "OL_ERR_CLIENT_REFUSED",
  MESH_BAD_REPLY: "OL_ERR_CLIENT_BAD_REPLY",
  SWARM_NOT_MANAGER: "OL_ERR_SWARM_NOT_MANAGER",
  SWARM_NAME_TOO_LONG: "OL_ERR_SWARM_NAME_TOO_LONG",
  SWARM_DEPLOY_FAILED: "OL_ERR_SWARM_DEPLOY_FAILED",
  BACKUP_FAILED: "OL_ERR_BACKUP_FAILED",
  BACKUP_INVALID: "OL_ERR_BACKUP_INVALID",
  RESTORE_FLEET_RUNNING: "OL_ERR_RESTORE_FLEET_RUNNING",
} as const;

export type FleetCode = (typeof FleetCodes)[keyof typeof FleetCodes];

/** Failure of the environment (Docker, network, a service): exit 1. */
export function fleetFailure(code: FleetCode, message: string, cause?: unknown): OlError {
  return new OlError(code, message, 500, { cause, details: { exitCode: 1 } });
}

/** The user's input must change (a flag, an unknown service): exit 2. */
export function fleetUsage(code: FleetCode, message: string): OlError {
  return new OlError(code, message, 400, { details: { exitCode: 2 } });
}
