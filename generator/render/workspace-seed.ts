import { readFileSync } from "node:fs";
import { join } from "node:path";
import Handlebars from "handlebars";
import { type SeedField, WORKSPACE_SEEDS } from "../config/schemas/agents.js";
import { templatesRoot } from "../init/package-root.js";

/**
 * The workspace files an agent gets on first boot (docs/config.md `initial_*`): the agents.yaml field,
 * else `config/workspace/<agent>/<FILE>` (read by the config loader into the same field), else the
 * default heading from templates/workspace/<FILE>.hbs. Render writes them next to the manifest; the
 * agent copies each one into /data only when that file does not exist yet.
 */

const compiled = new Map<string, HandlebarsTemplateDelegate>();
const template = (file: string): HandlebarsTemplateDelegate => {
  let t = compiled.get(file);
  if (!t) {
    const source = readFileSync(join(templatesRoot(), "workspace", `${file}.hbs`), "utf8");
    t = Handlebars.create().compile(source, { noEscape: true, strict: true });
    compiled.set(file, t);
  }
  return t;
};

export function workspaceSeeds(
  agent: { id: string; role: string } & Partial<Record<SeedField, string>>,
): Array<[file: string, text: string]> {
  return Object.entries(WORKSPACE_SEEDS).map(([file, field]) => [
    file,
    agent[field] ?? template(file)({ id: agent.id, role: agent.role }),
  ]);
}
