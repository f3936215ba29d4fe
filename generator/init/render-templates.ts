import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import Handlebars from "handlebars";
import type { TemplateName } from "./options.js";

/** Bounds on what we read from templates/: a broken install must not make init read the disk forever. */
const MAX_TEMPLATE_FILES = 64;
const MAX_TEMPLATE_BYTES = 256 * 1024;
const MAX_DEPTH = 4;

export interface TemplateVars {
  template: TemplateName;
  provider: string;
  providerLabel: string;
  model: string;
  /** Credential name without the OPENLEGION_CRED_ prefix, e.g. OPENAI_API_KEY. */
  credential: string;
  firstAgent: string;
  masterKey: string;
  /** "" writes a commented placeholder instead. */
  apiKey: string;
  /** "" keeps the template's placeholder paragraph in PROJECT.md. */
  description: string;
  /** mesh.port and egress.subnet_pool: free on this host when init ran (init/free-place.ts). */
  meshPort: number;
  subnetPool: string;
}

export interface RenderedFile {
  /** Relative to the fleet directory, `/`-separated, e.g. `config/agents.yaml`. */
  path: string;
  content: string;
  /** 0o600 for .env, else 0o644. */
  mode: number;
}

/**
 * Where a template file lands: `.hbs` is dropped, and the dot files are stored without their dot
 * (`env.hbs` → `.env`, `gitignore.hbs` → `.gitignore`) because npm never packs a `.gitignore`.
 */
export function outputPath(templatePath: string): string {
  const path = templatePath.replace(/\.hbs$/, "");
  if (path === "env") return ".env";
  if (path === "gitignore") return ".gitignore";
  return path;
}

async function collect(root: string, rel: string, depth: number, out: Map<string, string>): Promise<void> {
  if (depth > MAX_DEPTH) throw new Error(`templates nested deeper than ${MAX_DEPTH} levels under ${root}`);
  const entries = await readdir(join(root, rel), { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = rel === "" ? entry.name : `${rel}/${entry.name}`;
    if (entry.isDirectory()) await collect(root, path, depth + 1, out);
    else if (entry.isFile() && entry.name.endsWith(".hbs")) {
      if (out.size >= MAX_TEMPLATE_FILES)
        throw new Error(`more than ${MAX_TEMPLATE_FILES} template files under ${root}`);
      const text = await readFile(join(root, path), "utf8");
      if (text.length > MAX_TEMPLATE_BYTES)
        throw new Error(`template ${path} is larger than ${MAX_TEMPLATE_BYTES} bytes`);
      out.set(outputPath(path), text);
    }
  }
}

/** Output path → template text: templates/common/ overlaid by templates/teams/<team>/. */
export async function loadTemplates(templatesRoot: string, team: TemplateName): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  await collect(join(templatesRoot, "common"), "", 0, files);
  await collect(join(templatesRoot, "teams", team), "", 0, files);
  return files;
}

/** Pure: the same templates and vars give the same bytes. Strict mode: a missing variable throws. */
export function renderTemplates(templates: ReadonlyMap<string, string>, vars: TemplateVars): RenderedFile[] {
  const hbs = Handlebars.create();
  const rendered: RenderedFile[] = [];
  for (const [path, text] of templates) {
    const render = hbs.compile(text, { noEscape: true, strict: true });
    rendered.push({ path, content: render(vars), mode: path === ".env" ? 0o600 : 0o644 });
  }
  return rendered.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
