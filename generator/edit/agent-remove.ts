import { CliErrors } from "../cli/errors.js";
import type { CliIo } from "../cli/io.js";
import { checkAgentId } from "./agent-add.js";
import { bumpedGenerations, deleteAgentData } from "./agent-data.js";
import { removeAgentText } from "./agents-yaml.js";
import { AGENTS_FILE, PERMISSIONS_FILE, readFleetForEdit, writeFleetFiles } from "./fleet-io.js";
import { parsePermissionsText, removeAgentGrants, serializePermissions } from "./permissions-json.js";
import { referencesTo } from "./references.js";
import { checkEditedAgents, checkEditedPermissions } from "./validate-edit.js";

export interface AgentRemoveOptions {
  dir?: string;
  yes?: boolean;
  force?: boolean;
  /** Keep the agent's /data volume (default: deleted). */
  keepData?: boolean;
}

export async function runAgentRemove(name: string, opts: AgentRemoveOptions, io: CliIo): Promise<void> {
  checkAgentId(name);
  const edit = await readFleetForEdit(opts.dir, io.cwd);
  const known = edit.fleet.agents.map((agent) => agent.id);
  if (!known.includes(name)) {
    throw CliErrors.agentUnknown(
      `no agent named ${name} in ${AGENTS_FILE} (agents: ${known.join(", ") || "none"})`,
    );
  }
  const refs = referencesTo(edit.fleet, name);
  if (refs.length > 0 && !opts.force) {
    throw CliErrors.agentInUse(
      `agent ${name} is still used by ${refs.map((ref) => ref.where).join("; ")}; change those first, or pass --force to remove it anyway`,
    );
  }
  if (!opts.yes) {
    if (!io.isTTY)
      throw CliErrors.agentNeedsConfirmation(`removing agent ${name} needs confirmation; pass --yes`);
    const { promptsOf } = await import("../init/resolve-plan.js");
    const ok = await (await promptsOf(io)).confirm({
      message: opts.keepData
        ? `Remove agent ${name} from ${AGENTS_FILE} and ${PERMISSIONS_FILE} (its /data volume is kept)?`
        : `Remove agent ${name} from ${AGENTS_FILE} and ${PERMISSIONS_FILE}, and DELETE its /data volume?`,
      default: false,
    });
    if (!ok) throw CliErrors.agentNotRemoved(`agent ${name} not removed`);
  }

  const agentsText = removeAgentText(edit.agents, name);
  checkEditedAgents(agentsText);
  const files = [{ path: AGENTS_FILE, content: agentsText }];
  let touched: string[] = [];
  if (edit.permissions !== undefined) {
    const permissions = parsePermissionsText(edit.permissions);
    touched = removeAgentGrants(permissions, name);
    const permissionsText = serializePermissions(permissions);
    checkEditedPermissions(permissionsText);
    files.push({ path: PERMISSIONS_FILE, content: permissionsText });
  }
  // The generation bump lands with the config edit: the old token is dead from the next render on.
  files.push(bumpedGenerations(edit.dir, name));
  await writeFleetFiles(edit.dir, files);

  const lines = [`Removed agent ${name} from ${AGENTS_FILE} and ${PERMISSIONS_FILE}.`];
  lines.push(`  its token is revoked at the next \`openlegion render\` (a re-added ${name} gets a new one)`);
  if (opts.keepData) lines.push(`  its data volume is kept (--keep-data)`);
  else {
    const data = await deleteAgentData(edit.dir, name, io.env);
    lines.push(
      data.deleted
        ? `  deleted its data volume ${data.volume}`
        : `  data volume ${data.volume}: ${data.note}`,
    );
  }
  if (touched.length > 0) lines.push(`  can_message no longer lists ${name} for: ${touched.join(", ")}`);
  io.stdout(`${lines.join("\n")}\n`);
  for (const ref of refs)
    io.stderr(`warning: ${ref.where} still names ${name}; fix it before \`openlegion validate\`\n`);
}
