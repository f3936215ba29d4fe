import { type CodeOf, errorKinds } from "../../services/common/errors.js";

const kind = errorKinds("FLEET", { cli: true });

/**
 * Errors of the Docker/Compose layer, the fleet lifecycle commands and the CLI's mesh client
 * (docs/errors/fleet.md). Each message says what to do next. Status 500 (exit 1): the environment
 * failed; 400 (exit 2): the user's input must change.
 */
export const FleetErrors = {
  dockerMissing: kind("OL_ERR_FLEET_DOCKER_MISSING", 500),
  dockerDaemonDown: kind("OL_ERR_FLEET_DOCKER_DAEMON_DOWN", 500),
  dockerPermission: kind("OL_ERR_FLEET_DOCKER_PERMISSION", 500),
  dockerFailed: kind("OL_ERR_FLEET_DOCKER_FAILED", 500),
  composeMissing: kind("OL_ERR_FLEET_COMPOSE_MISSING", 500),
  composeFailed: kind("OL_ERR_FLEET_COMPOSE_FAILED", 500),
  buildFailed: kind("OL_ERR_FLEET_BUILD_FAILED", 500),
  buildNoDist: kind("OL_ERR_FLEET_BUILD_NO_DIST", 500),
  buildNoBase: kind("OL_ERR_FLEET_BUILD_NO_BASE", 500),
  buildBadCa: kind("OL_ERR_FLEET_BUILD_BAD_CA", 400),
  notRendered: kind("OL_ERR_FLEET_NOT_RENDERED", 400),
  unhealthy: kind("OL_ERR_FLEET_UNHEALTHY", 500),
  timeout: kind("OL_ERR_FLEET_TIMEOUT", 500),
  placeTaken: kind("OL_ERR_FLEET_PLACE_TAKEN", 400),
  needsConfirmation: kind("OL_ERR_FLEET_NEEDS_CONFIRMATION", 400),
  unknownService: kind("OL_ERR_FLEET_UNKNOWN_SERVICE", 400),
  meshUnreachable: kind("OL_ERR_FLEET_MESH_UNREACHABLE", 500),
  meshRefused: kind("OL_ERR_FLEET_MESH_REFUSED", 500),
  meshBadReply: kind("OL_ERR_FLEET_MESH_BAD_REPLY", 500),
  backupFailed: kind("OL_ERR_FLEET_BACKUP_FAILED", 500),
  backupInvalid: kind("OL_ERR_FLEET_BACKUP_INVALID", 400),
  restoreFleetRunning: kind("OL_ERR_FLEET_RESTORE_FLEET_RUNNING", 400),
  swarmNotManager: kind("OL_ERR_FLEET_SWARM_NOT_MANAGER", 500),
  swarmNameTooLong: kind("OL_ERR_FLEET_SWARM_NAME_TOO_LONG", 400),
  swarmDeployFailed: kind("OL_ERR_FLEET_SWARM_DEPLOY_FAILED", 500),
};

export type FleetCode = CodeOf<typeof FleetErrors>;
