import type { z } from "zod";
import { RESERVED_AGENT_IDS } from "../../services/common/agent-ids.js";
import { DOC_EXAMPLES } from "./doc-examples.js";
import { WORKFLOW_FIELD_NOTES } from "./doc-notes.js";
import { MAX_ALIAS_COUNT } from "./document.js";
import { MAX_CONFIG_BYTES } from "./read.js";
import { defOf, descriptionOf, unwrap } from "./schema-walk.js";
import { agentsFileSchema } from "./schemas/agents.js";
import { agentId } from "./schemas/common.js";
import { ENV_KEYS } from "./schemas/env.js";
import { meshFileSchema } from "./schemas/mesh.js";
import { permissionsFileSchema } from "./schemas/permissions.js";
import { watchersFileSchema } from "./schemas/watchers.js";
import { workflowSchema } from "./schemas/workflows.js";

type AnySchema = z.core.$ZodType;

interface Row {
  field: string;
  type: string;
  defaultText: string;
  description: string;
}

function typeName(schema: AnySchema, depth = 0): string {
  const inner = unwrap(schema);
  const def = defOf(inner) as z.core.$ZodTypeDef & Record<string, unknown>;
  if (depth > 4) return "…";
  switch (def.type) {
    case "string":
      return def.format === "url" ? "URL" : "string";
    case "number":
      return def.format === "safeint" ? "integer" : "number";
    case "enum":
      return Object.values(def.entries as Record<string, string>)
        .map((v) => JSON.stringify(v))
        .join(" \\| ");
    case "literal":
      return (def.values as unknown[]).map((v) => JSON.stringify(v)).join(" \\| ");
    case "array":
      return `list of ${typeName(def.element as AnySchema, depth + 1)}`;
    case "record":
      return `map of ${typeName(def.valueType as AnySchema, depth + 1)}`;
    case "object":
      return "mapping";
    case "union":
      return (def.options as AnySchema[]).map((o) => typeName(o, depth + 1)).join(" or ");
    case "unknown":
    case "any":
      return "any";
    default:
      return def.type;
  }
}

function defaultOf(schema: AnySchema): string {
  let current: AnySchema | undefined = schema;
  for (let i = 0; i < 8 && current; i++) {
    const def = defOf(current) as z.core.$ZodTypeDef & { innerType?: AnySchema; defaultValue?: unknown };
    if (def.type === "default" || def.type === "prefault") {
      const value = def.defaultValue;
      const isObject = defOf(unwrap(current)).type === "object";
      if (isObject && value && typeof value === "object" && Object.keys(value).length === 0)
        return "(see fields)";
      return `\`${JSON.stringify(value)}\``;
    }
    if (def.type === "optional") return "—";
    current = def.innerType;
  }
  return "**required**";
}

/** Children to describe below a field: the object itself, or the object inside a list or map. */
function childObject(schema: AnySchema): { shape: Record<string, AnySchema>; suffix: string } | undefined {
  const inner = unwrap(schema);
  const def = defOf(inner) as z.core.$ZodTypeDef & Record<string, unknown>;
  if (def.type === "object") return { shape: def.shape as Record<string, AnySchema>, suffix: "." };
  const element =
    def.type === "array"
      ? (def.element as AnySchema)
      : def.type === "record"
        ? (def.valueType as AnySchema)
        : undefined;
  if (!element) return undefined;
  const elementDef = defOf(unwrap(element)) as z.core.$ZodTypeDef & Record<string, unknown>;
  if (elementDef.type !== "object") return undefined;
  const keyName = def.keyType === agentId ? ".<agent-id>." : ".<name>.";
  return {
    shape: elementDef.shape as Record<string, AnySchema>,
    suffix: def.type === "array" ? "[]." : keyName,
  };
}

function rowsOf(
  shape: Record<string, AnySchema>,
  prefix: string,
  notes: Record<string, string> = {},
  depth = 0,
): Row[] {
  const rows: Row[] = [];
  for (const [key, child] of Object.entries(shape)) {
    const field = `${prefix}${key}`;
    const description = descriptionOf(child) ?? notes[key] ?? "";
    rows.push({ field, type: typeName(child), defaultText: defaultOf(child), description });
    const nested = depth < 5 ? childObject(child) : undefined;
    if (nested) rows.push(...rowsOf(nested.shape, `${field}${nested.suffix}`, notes, depth + 1));
  }
  return rows;
}

/** A Markdown table with padded columns (the shape `biome format` gives Markdown tables). */
export function markdownTable(header: readonly string[], body: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((h, i) => Math.max(3, h.length, ...body.map((row) => (row[i] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n");
}

function table(rows: readonly Row[]): string {
  const cell = (text: string): string => text.replaceAll("\n", " ").replace(/(?<!\\)\|/g, "\\|");
  const body = rows.map((row) => [
    `\`${row.field}\``,
    cell(row.type),
    cell(row.defaultText),
    cell(row.description),
  ]);
  return markdownTable(["Field", "Type", "Default", "Description"], body);
}

function section(title: string, intro: string, rows: readonly Row[], example: string, lang: string): string {
  return [
    `## \`${title}\``,
    "",
    intro,
    "",
    table(rows),
    "",
    "Example:",
    "",
    `\`\`\`${lang}`,
    example.trimEnd(),
    "```",
    "",
  ].join("\n");
}

/** docs/config.md, generated from the zod schemas (descriptions, types, defaults) and DOC_EXAMPLES. */
export function renderConfigDocs(): string {
  const agentsShape = (defOf(agentsFileSchema) as z.core.$ZodObjectDef).shape;
  const meshShape = (defOf(meshFileSchema) as z.core.$ZodObjectDef).shape;
  const workflowShape = (defOf(workflowSchema) as z.core.$ZodObjectDef).shape;
  const watchersShape = (defOf(watchersFileSchema) as z.core.$ZodObjectDef).shape;
  const envRows: Row[] = Object.entries(ENV_KEYS).map(([key, description]) => ({
    field: key,
    type: "string",
    defaultText:
      key === "OPENLEGION_MASTER_KEY"
        ? "**required** (for render)"
        : key === "OPENLEGION_LOG_FORMAT"
          ? '`"json"`'
          : key === "OPENLEGION_SQLITE_SYNC"
            ? '`"full"`'
            : "—",
    description,
  }));
  const parts = [
    "# Fleet configuration reference",
    "",
    "<!-- Generated by `npm run docs:config` from generator/config/schemas (do not edit by hand; a test fails when stale). -->",
    "",
    "A fleet is a directory. `openlegion validate [dir]` checks it without writing anything.",
    "",
    markdownTable(
      ["File", "Required", "Format"],
      [
        ["`config/agents.yaml`", "yes", "YAML"],
        ["`config/permissions.json`", "no (absent = every agent denied everything)", "strict JSON"],
        ["`config/mesh.yaml`", "no (absent = the defaults below)", "YAML"],
        ["`config/workflows/*.yaml`", "no", "YAML, one workflow per file"],
        ["`config/watchers.yaml`", "no", "YAML"],
        ["`.env`", "for `render` and `up` (checked whenever present)", "dotenv"],
        ["`PROJECT.md`", "no", "Markdown, shared with every agent"],
      ],
    ),
    "",
    "## Rules for every file",
    "",
    '- Every problem is reported as one line `file:line:col path.to.field: message`, all files at once, sorted; the exit code is 2 and nothing is written. Unknown keys get a "did you mean".',
    `- Files larger than ${MAX_CONFIG_BYTES / (1024 * 1024)} MiB, directories, binary content (NUL bytes) and invalid UTF-8 are refused. An empty file is an error.`,
    `- YAML: duplicate keys and tab indentation are errors; anchors, aliases and merge keys (\`<<: *base\`) work, with at most ${MAX_ALIAS_COUNT} alias expansions. Top-level keys starting with \`x-\` are ignored, so they can hold anchors. Merging must not define the same agent twice.`,
    "- JSON: strict (no comments, no trailing commas, no duplicate keys).",
    "- No key anywhere may contain `$`.",
    "- Agent ids match `^[a-z][a-z0-9-]{0,30}$`; workflow and step ids match `^[a-z][a-z0-9_]{0,62}$`.",
    `- Reserved agent ids: ${RESERVED_AGENT_IDS.map((id) => `\`${id}\``).join(", ")}.`,
    "- Globs (permissions, watcher patterns): `*` never crosses `/`, `**` does and must be a whole segment, `?` is one character.",
    "- Every agent named anywhere (permissions, `can_message`, workflows, watchers, webhooks, schedules, heartbeats, channels) must exist in `config/agents.yaml`.",
    "",
    section(
      "config/agents.yaml",
      "Agents by id. `model`, `max_tokens` and `temperature` default to the `llm:` section of `config/mesh.yaml`.",
      rowsOf(agentsShape, ""),
      DOC_EXAMPLES["config/agents.yaml"],
      "yaml",
    ),
    section(
      "config/permissions.json",
      "Grants by agent id. Everything is default-deny: an agent without an entry, or a key left out, grants nothing.",
      rowsOf(childObject(permissionsFileSchema)?.shape ?? {}, "<agent-id>."),
      DOC_EXAMPLES["config/permissions.json"],
      "json",
    ),
    section(
      "config/mesh.yaml",
      "Mesh server, LLM defaults, providers, egress, channels and triggers.",
      rowsOf(meshShape, ""),
      DOC_EXAMPLES["config/mesh.yaml"],
      "yaml",
    ),
    section(
      "config/workflows/*.yaml",
      "One workflow per file; names are unique across files. Steps form a DAG through `depends_on` (no cycles, no unknown steps); `on_failure` names a handler.",
      rowsOf(workflowShape, "", WORKFLOW_FIELD_NOTES),
      DOC_EXAMPLES["config/workflows/prospect_pipeline.yaml"],
      "yaml",
    ),
    section(
      "config/watchers.yaml",
      "Polling file watchers.",
      rowsOf(watchersShape, ""),
      DOC_EXAMPLES["config/watchers.yaml"],
      "yaml",
    ),
    section(
      ".env",
      "Secrets, never rendered into the compose file. Keys outside `OPENLEGION_` are ignored; an unknown `OPENLEGION_` key is an error. The master key is at least 32 random bytes in base64url.",
      envRows,
      DOC_EXAMPLES[".env"],
      "bash",
    ),
  ];
  return `${parts.join("\n").trimEnd()}\n`;
}
