import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { E2eFleet, patchMeshYaml } from "../helpers/fleet-setup.js";

/** A one-step workflow on the starter template's `assistant`. */
const WORKFLOW = `apiVersion: mesh/v1
kind: Workflow
name: note
steps:
  - id: only
    agent: assistant
    task_type: summarize
`;

/**
 * The starter fleet both fault suites run on: the `note` workflow, its own subnet pool (each suite a half
 * of this engineer's 10.244.0.0/16, so both can run at once), up and healthy, the fake provider located.
 */
export async function startFaultFleet(
  label: string,
  pool: string,
  opts: { dailyBudgetUsd?: number } = {},
): Promise<E2eFleet> {
  const fleet = new E2eFleet(`sk-e2e-${label}-${Date.now().toString(36)}`);
  await fleet.init("starter");
  if (opts.dailyBudgetUsd !== undefined) {
    const agentsYaml = join(fleet.dir, "config", "agents.yaml");
    const text = readFileSync(agentsYaml, "utf8");
    if (!/daily_usd: [\d.]+/.test(text)) throw new Error("the starter's agents.yaml has no daily_usd");
    writeFileSync(agentsYaml, text.replace(/daily_usd: [\d.]+/, `daily_usd: ${opts.dailyBudgetUsd}`));
  }
  patchMeshYaml(fleet.dir, { egress: { subnet_pool: pool } });
  // The backup drill sets a schedule from the agent (set_cron), which needs can_schedule (default deny).
  const permsFile = join(fleet.dir, "config", "permissions.json");
  const perms = JSON.parse(readFileSync(permsFile, "utf8")) as Record<string, Record<string, unknown>>;
  perms.assistant = { ...perms.assistant, can_schedule: true };
  writeFileSync(permsFile, `${JSON.stringify(perms, null, 2)}\n`);
  mkdirSync(join(fleet.dir, "config", "workflows"), { recursive: true });
  writeFileSync(join(fleet.dir, "config", "workflows", "note.yaml"), WORKFLOW);
  const up = await fleet.cli(["up", fleet.dir, "-d", "--timeout", "240"]);
  if (up.code !== 0) {
    await fleet.destroy();
    throw new Error(`up: ${up.stdout}${up.stderr}`);
  }
  await fleet.locateFake();
  return fleet;
}
