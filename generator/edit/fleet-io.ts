import { join, resolve } from "node:path";
import { CliErrors } from "../cli/errors.js";
import { loadFleet } from "../config/load.js";
import { readConfigText } from "../config/read.js";
import type { FleetConfig } from "../config/schemas/fleet.js";
import { commitStaged, discardStaged, type StagedFile, stageFile } from "./atomic.js";

export const AGENTS_FILE = "config/agents.yaml";
export const PERMISSIONS_FILE = "config/permissions.json";

export interface FleetTexts {
  dir: string;
  fleet: FleetConfig;
  agents: string;
  /** undefined when the fleet has no permissions.json yet. */
  permissions: string | undefined;
}

async function readText(dir: string, file: string): Promise<string | undefined> {
  const outcome = await readConfigText(join(dir, file), file);
  if (outcome.kind === "missing") return undefined;
  if (outcome.kind === "issue") {
    const { line, col, message } = outcome.issue;
    throw CliErrors.agentUnreadable(`${file}:${line}:${col}: ${message}`);
  }
  return outcome.text;
}

/**
 * Loads the fleet (it must be valid: edits start from a known-good state and keep it that way) and
 * the raw text of the two files an agent edit changes. A ConfigError from the loader propagates, and
 * the CLI prints every issue.
 */
export async function readFleetForEdit(dirArg: string | undefined, cwd: string): Promise<FleetTexts> {
  const dir = resolve(cwd, dirArg ?? ".");
  const agents = await readText(dir, AGENTS_FILE);
  if (agents === undefined) {
    throw CliErrors.agentNoFleet(
      `no fleet in ${dir} (${AGENTS_FILE} is missing); run \`openlegion init\` first`,
    );
  }
  const fleet = await loadFleet(dir);
  return { dir, fleet, agents, permissions: await readText(dir, PERMISSIONS_FILE) };
}

/** Writes both files or neither (staged temp files, then renames). */
export async function writeFleetFiles(
  dir: string,
  files: { path: string; content: string }[],
): Promise<void> {
  const staged: StagedFile[] = [];
  try {
    for (const file of files) staged.push(await stageFile(join(dir, file.path), file.content));
    await commitStaged(staged);
  } catch (error) {
    await discardStaged(staged);
    throw error;
  }
}
