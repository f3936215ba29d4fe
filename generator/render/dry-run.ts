import { isOlError } from "../../services/common/errors.js";
import type { ConfigIssue } from "../config/errors.js";
import { CRED_PREFIX } from "../config/schemas/env.js";
import type { FleetConfig } from "../config/schemas/fleet.js";
import { compile } from "./compile.js";
import { RenderErrors } from "./errors.js";
import { credentialNeeds } from "./secrets.js";

/** The file a person edits to fix each kind of refusal (render's errors name no position). */
const FILE_OF: Readonly<Record<string, string>> = {
  [RenderErrors.envMissing.code]: ".env",
  [RenderErrors.secretMissing.code]: ".env",
  [RenderErrors.unknownApi.code]: "config/permissions.json",
  [RenderErrors.unknownProvider.code]: "config/agents.yaml",
  [RenderErrors.nameCollision.code]: "config/agents.yaml",
};

/** A stand-in master key for a dry run without .env: 32 bytes, base64url; never written anywhere. */
const PLACEHOLDER_MASTER_KEY = "A".repeat(43);

export interface DryRun {
  issues: ConfigIssue[];
  /** False when there was no .env: credentials were assumed present, everything else was checked. */
  credentialsChecked: boolean;
}

/**
 * Everything render (and, through it, the mesh's boot-time loader) would refuse, found by compiling
 * in memory: `validate` says "valid" only for a fleet that `render` and the services accept.
 */
export function dryRunRender(fleet: FleetConfig, previousSubnets: Record<string, string> = {}): DryRun {
  const credentialsChecked = fleet.env !== undefined;
  const env =
    fleet.env ??
    Object.fromEntries([
      ["OPENLEGION_MASTER_KEY", PLACEHOLDER_MASTER_KEY],
      ["OPENLEGION_LOG_FORMAT", "json"],
      ...credentialNeeds(fleet).map((need) => [`${CRED_PREFIX}${need.credential}`, "placeholder"]),
    ]);
  try {
    compile(
      { ...fleet, env: env as NonNullable<FleetConfig["env"]> },
      { toolVersion: "0.0.0", previousSubnets },
    );
    return { issues: [], credentialsChecked };
  } catch (error) {
    const details = isOlError(error) ? error.details : undefined;
    if (!isOlError(error) || details?.exitCode !== 2) throw error;
    const file = FILE_OF[error.code] ?? "config/mesh.yaml";
    return { issues: [{ file, line: 1, col: 1, path: "", message: error.message }], credentialsChecked };
  }
}
