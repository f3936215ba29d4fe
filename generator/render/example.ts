import { loadFleet } from "../config/load.js";
import { envFileSchema } from "../config/schemas/env.js";
import { type RenderRunResult, runRender } from "./run.js";

/**
 * The repository's example fleet (config/ + PROJECT.md at the root) is rendered into the committed
 * docker-compose.yml and compose/ so reviewers see what a fleet compiles to, and CI fails when it is
 * stale. Render needs a .env (secret fingerprints are part of each service's config-hash), so the
 * example uses this fixed, public, deliberately worthless key set. Never use it for a real fleet.
 */
export const EXAMPLE_ENV = {
  OPENLEGION_MASTER_KEY: "example-only-not-secret-example-only-not-se",
  OPENLEGION_CRED_OPENAI_API_KEY: "sk-example-not-a-real-key",
} as const;

export async function renderExample(
  repoRoot: string,
  opts: { check: boolean; toolVersion: string },
): Promise<RenderRunResult> {
  const fleet = await loadFleet(repoRoot);
  fleet.env = envFileSchema.parse(EXAMPLE_ENV);
  return runRender(fleet, { dir: repoRoot, check: opts.check, toolVersion: opts.toolVersion });
}
