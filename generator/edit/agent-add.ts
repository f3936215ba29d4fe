import { CliErrors } from "../cli/errors.js";
import type { CliIo } from "../cli/io.js";
import { AGENT_ID_PATTERN, modelRef } from "../config/schemas/common.js";
import { addAgentText } from "./agents-yaml.js";
import { AGENTS_FILE, PERMISSIONS_FILE, readFleetForEdit, writeFleetFiles } from "./fleet-io.js";
import { defaultGrants, parsePermissionsText, serializePermissions } from "./permissions-json.js";
import { checkEditedAgents, checkEditedPermissions } from "./validate-edit.js";

export interface AgentAddOptions {
  dir?: string;
  role?: string;
  model?: string;
}

export function checkAgentId(name: string): void {
  if (!AGENT_ID_PATTERN.test(name)) {
    throw CliErrors.agentInvalidId(
      `invalid agent id ${JSON.stringify(name.slice(0, 64))}: use 1 to 31 lowercase letters, digits or dashes, starting with a letter (^[a-z][a-z0-9-]{0,30}$)`,
    );
  }
}

export function systemPromptFor(id: string, role: string): string {
  return [
    `You are ${id}, an agent of this fleet. Your role: ${role}.`,
    "PROJECT.md describes the project you work on and its constraints; follow them.",
    "",
    "Work carefully and concretely. Ask one short question when a request is ambiguous,",
    "say so when you do not know something instead of guessing, and finish each task",
    "with a clear result.",
    "",
    `Keep notes that should outlive a conversation on the blackboard under context/${id}_*.`,
    "",
  ].join("\n");
}

/** The new agent's id: the argument, else asked on a terminal; without either, a usage error (exit 2). */
async function agentName(given: string | undefined, taken: readonly string[], io: CliIo): Promise<string> {
  if (given !== undefined) return given;
  if (!io.isTTY)
    throw CliErrors.agentBadOption("agent add needs the new agent's name: openlegion agent add <name>");
  const { promptsOf } = await import("../init/resolve-plan.js");
  return (await promptsOf(io)).input({
    message: "Name of the new agent (lowercase letters, digits, dashes)",
    validate: (value) =>
      !AGENT_ID_PATTERN.test(value)
        ? "start with a letter; up to 31 lowercase letters, digits or dashes"
        : taken.includes(value)
          ? `${value} already exists`
          : true,
  });
}

export async function runAgentAdd(
  given: string | undefined,
  opts: AgentAddOptions,
  io: CliIo,
): Promise<void> {
  if (given !== undefined) checkAgentId(given);
  const edit = await readFleetForEdit(opts.dir, io.cwd);
  const name = await agentName(
    given,
    edit.fleet.agents.map((a) => a.id),
    io,
  );
  if (edit.fleet.agents.some((agent) => agent.id === name)) {
    throw CliErrors.agentExists(
      `agent ${name} already exists in ${AGENTS_FILE}; pick another name or remove it first`,
    );
  }
  let role = opts.role;
  let model = opts.model;
  if (io.isTTY && (role === undefined || model === undefined)) {
    const { promptsOf } = await import("../init/resolve-plan.js");
    const prompts = await promptsOf(io);
    role ??= await prompts.input({ message: `Role of ${name}`, default: "assistant", validate: roleProblem });
    model ??= await prompts.input({
      message: "Model (provider/model)",
      default: edit.fleet.mesh.llm.default_model,
      validate: (value) =>
        modelRef.safeParse(value).success || 'use "provider/model", e.g. openai/gpt-4o-mini',
    });
  }
  role ??= "assistant";
  const roleError = roleProblem(role);
  if (roleError !== true) throw CliErrors.agentBadOption(`--role: ${roleError}`);
  if (model !== undefined && !modelRef.safeParse(model).success) {
    throw CliErrors.agentBadOption(
      `--model ${JSON.stringify(model)}: use "provider/model", e.g. openai/gpt-4o-mini`,
    );
  }

  const fields: Record<string, unknown> = { role };
  if (model !== undefined) fields.model = model;
  fields.system_prompt = systemPromptFor(name, role);
  fields.budget = { daily_usd: 10, monthly_usd: 200 };
  const agentsText = addAgentText(edit.agents, name, fields);
  checkEditedAgents(agentsText);

  const permissions = parsePermissionsText(edit.permissions ?? "{}\n");
  const keptGrants = permissions.data[name] !== undefined;
  if (!keptGrants) permissions.data[name] = { ...defaultGrants(name) };
  const permissionsText = serializePermissions(permissions);
  checkEditedPermissions(permissionsText);

  await writeFleetFiles(edit.dir, [
    { path: AGENTS_FILE, content: agentsText },
    { path: PERMISSIONS_FILE, content: permissionsText },
  ]);
  io.stdout(
    [
      `Added agent ${name} (${role}, ${model ?? `${edit.fleet.mesh.llm.default_model} (default)`}).`,
      `  ${AGENTS_FILE}: system prompt and budget ($10/day, $200/month); edit them to fit`,
      keptGrants
        ? `  ${PERMISSIONS_FILE}: kept the existing grants of ${name}`
        : `  ${PERMISSIONS_FILE}: may call the LLM and use context/${name}_* on the blackboard; grant more there`,
      "Next: openlegion validate, then openlegion up",
      "",
    ].join("\n"),
  );
}

function roleProblem(value: string): true | string {
  if (value.trim() === "") return "the role is empty";
  if (value.length > 200) return "the role is longer than 200 characters";
  if (/[\r\n]/.test(value)) return "the role must be one line";
  return true;
}
