import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NAME_PATTERN } from "../../services/common/contracts/fleet/primitives.js";
import { webhookSecret } from "../../services/common/tokens.js";
import { CliErrors } from "../cli/errors.js";
import type { CliIo } from "../cli/io.js";
import { FLEET_FILES, loadFleet } from "../config/load.js";
import { readConfigText } from "../config/read.js";
import { writeFileAtomic } from "./atomic.js";
import { readFleetForEdit } from "./fleet-io.js";
import { addListItemText, removeListItemText } from "./mesh-yaml.js";

const MESH_FILE = FLEET_FILES.mesh;

export interface WebhookAddOptions {
  dir?: string;
  agent?: string;
  message?: string;
  workflow?: string;
  json?: boolean;
}

export interface WebhookEdit {
  dir: string;
  mesh: string;
  hooks: { name: string; agent: string; workflow?: string }[];
  agents: string[];
  workflows: string[];
}

/** The fleet (valid: edits start from a known-good state) and mesh.yaml's text ("" when absent). */
async function readForEdit(dirArg: string | undefined, cwd: string): Promise<WebhookEdit> {
  const edit = await readFleetForEdit(dirArg, cwd);
  const outcome = await readConfigText(join(edit.dir, MESH_FILE), MESH_FILE);
  if (outcome.kind === "issue") {
    const { line, col, message } = outcome.issue;
    throw CliErrors.webhookUnreadable(`${MESH_FILE}:${line}:${col}: ${message}`);
  }
  return {
    dir: edit.dir,
    mesh: outcome.kind === "text" ? outcome.text : "",
    hooks: edit.fleet.mesh.webhooks,
    agents: edit.fleet.agents.map((a) => a.id),
    workflows: edit.fleet.workflows.map((w) => w.name),
  };
}

/**
 * The loader is the judge: the fleet's config is copied to a private temp dir with the new mesh.yaml
 * and loaded there (a ConfigError lists every problem, and nothing is written). `.env` is not copied.
 */
export async function validateWith(dir: string, meshText: string): Promise<void> {
  const temp = await mkdtemp(join(tmpdir(), "ol-edit-"));
  try {
    await cp(join(dir, "config"), join(temp, "config"), { recursive: true, dereference: false });
    await cp(join(dir, FLEET_FILES.project), join(temp, FLEET_FILES.project)).catch(() => {});
    await writeFileAtomic(join(temp, MESH_FILE), meshText);
    await loadFleet(temp);
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

function checkName(name: string): void {
  if (!NAME_PATTERN.test(name))
    throw CliErrors.webhookBadOption(
      `invalid webhook name ${JSON.stringify(name.slice(0, 64))}: use ^[a-z][a-z0-9_-]{0,62}$ (it is the URL segment)`,
    );
}

const list = (xs: readonly string[]) => xs.join(", ") || "none";

/** Master key from .env, or undefined (a fleet not set up yet): the secret is then not printed. */
async function keyOf(dir: string): Promise<string | undefined> {
  const { masterKey } = await import("../cli/commands/operator-api.js");
  return masterKey(dir).catch(() => undefined);
}

export async function runWebhookAdd(name: string, opts: WebhookAddOptions, io: CliIo): Promise<void> {
  checkName(name);
  if (!opts.agent)
    throw CliErrors.webhookBadOption("--agent is required (the agent that receives the payload)");
  if (opts.message !== undefined && opts.workflow !== undefined)
    throw CliErrors.webhookBadOption("--message and --workflow exclude each other");
  if (opts.message !== undefined && (opts.message.trim() === "" || opts.message.length > 10_000))
    throw CliErrors.webhookBadOption("--message must be 1 to 10000 characters");
  const edit = await readForEdit(opts.dir, io.cwd);
  if (edit.hooks.some((h) => h.name === name))
    throw CliErrors.webhookExists(
      `webhook ${name} already exists in ${MESH_FILE}; remove it first or pick another name`,
    );
  if (!edit.agents.includes(opts.agent))
    throw CliErrors.webhookBadOption(`--agent: no agent named ${opts.agent} (agents: ${list(edit.agents)})`);
  if (opts.workflow !== undefined && !edit.workflows.includes(opts.workflow))
    throw CliErrors.webhookBadOption(
      `--workflow: no workflow named ${opts.workflow} (workflows: ${list(edit.workflows)})`,
    );

  const item: Record<string, unknown> = { name, agent: opts.agent };
  if (opts.workflow !== undefined) item.workflow = opts.workflow;
  if (opts.message !== undefined) item.message = opts.message;
  const text = addListItemText(edit.mesh, "webhooks", item);
  await validateWith(edit.dir, text);
  await writeFileAtomic(join(edit.dir, MESH_FILE), text);

  const path = `/webhook/hook/${name}`;
  const key = await keyOf(edit.dir);
  const secret = key === undefined ? undefined : webhookSecret(key, name, 1);
  if (opts.json) {
    io.stdout(
      `${JSON.stringify({ name, path, target: opts.workflow ?? opts.agent, generation: 1, secret: secret ?? null }, null, 2)}\n`,
    );
    return;
  }
  const lines = [
    `Added webhook ${name} → ${opts.workflow ? `workflow ${opts.workflow}` : `agent ${opts.agent}`} in ${MESH_FILE}.`,
    `  URL path: POST ${path} on the mesh's published port`,
    secret === undefined
      ? "  secret: not shown (no OPENLEGION_MASTER_KEY in .env yet); run `openlegion webhook rotate` after `openlegion up`"
      : `  secret (configure it at the sender; it is not shown again): ${secret}`,
    "Next: openlegion up (the running mesh does not see the new webhook until then)",
    "",
  ];
  io.stdout(lines.join("\n"));
}

export async function runWebhookRemove(name: string, opts: { dir?: string }, io: CliIo): Promise<void> {
  checkName(name);
  const edit = await readForEdit(opts.dir, io.cwd);
  if (!edit.hooks.some((h) => h.name === name))
    throw CliErrors.webhookUnknown(
      `no webhook named ${name} in ${MESH_FILE} (webhooks: ${list(edit.hooks.map((h) => h.name))})`,
    );
  const text = removeListItemText(edit.mesh, "webhooks", "name", name);
  await validateWith(edit.dir, text);
  await writeFileAtomic(join(edit.dir, MESH_FILE), text);
  io.stdout(
    `Removed webhook ${name} from ${MESH_FILE}; POST /webhook/hook/${name} answers 404 after \`openlegion up\`.\n`,
  );
}
