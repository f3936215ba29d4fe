import { parseYamlText } from "../config/document.js";
import { type AgentsFile, agentsFileSchema } from "../config/schemas/agents.js";
import { type PermissionsFile, permissionsFileSchema } from "../config/schemas/permissions.js";

/**
 * Edits start from a valid fleet, so their result must be valid too. These checks run before
 * anything is written; a failure here is a bug in the editor, reported with the zod message.
 */
export function checkEditedAgents(text: string): AgentsFile {
  const parsed = parseYamlText("config/agents.yaml", text);
  if (parsed.doc.errors.length > 0)
    throw new Error(`edited agents.yaml does not parse: ${parsed.doc.errors[0]?.message}`);
  return agentsFileSchema.parse(parsed.doc.toJS({ maxAliasCount: 100 }) ?? {});
}

export function checkEditedPermissions(text: string): PermissionsFile {
  return permissionsFileSchema.parse(JSON.parse(text));
}
