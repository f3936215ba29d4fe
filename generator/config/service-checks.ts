import { BLACKBOARD_INPUT_PREFIX } from "../../services/common/contracts/fleet/workflows.js";
import { compileHostPattern, findUrlRule } from "../../services/egress-proxy/net/hosts.js";
import { compileExpr, isParseError } from "../../services/mesh/modules/orchestration/cel.js";
import { API_PRESETS, LLM_API } from "./api-presets.js";
import { issueAt, type ParsedFile } from "./document.js";
import type { ConfigIssue } from "./errors.js";
import type { AgentsFile } from "./schemas/agents.js";
import type { MeshFile } from "./schemas/mesh.js";
import { didYouMean } from "./suggest.js";
import type { LoadedWorkflow } from "./workflow-check.js";

/**
 * Checks, with file:line, of what render or a service would otherwise refuse later (a mesh that
 * refuses its config at boot restarts forever). CEL goes through the mesh's own compiler, so validate
 * and the mesh cannot disagree on what parses. `validate` also dry-runs render and the mesh's config
 * loader as a backstop (generator/render/dry-run.ts); these give the precise position first.
 */

/** Fields the schema accepts for compatibility but the product does not implement yet: refused, never ignored. */
const NOT_IMPLEMENTED: ReadonlyArray<{ field: "skills_dir"; why: string }> = [
  { field: "skills_dir", why: "custom skills are not available in this release; remove the field" },
];
/** The seed's browser tiers beyond "basic" (docs/tools.md "Browser backends"): refused, never downgraded. */
const BROWSER_TIERS: Record<string, string> = {
  stealth:
    'browser_backend "stealth" (an anti-detection browser) is not available in this release; use "basic"',
  advanced:
    'browser_backend "advanced" (a browser service run by the operator, reached over CDP) is not available in this release; use "basic"',
};

/**
 * The unimplemented fields one agent sets, as paths below `agents.<id>`. Works on the raw YAML value,
 * so `lint` (rule OL013) reads the same list without loading the fleet.
 */
export function unimplementedFields(agent: unknown): Array<{ path: PropertyKey[]; why: string }> {
  if (!agent || typeof agent !== "object") return [];
  const fields = agent as Record<string, unknown>;
  const out: Array<{ path: PropertyKey[]; why: string }> = NOT_IMPLEMENTED.filter(
    ({ field }) => fields[field] !== undefined && fields[field] !== null,
  ).map(({ field, why }) => ({ path: [field], why }));
  const tier = typeof fields.browser_backend === "string" ? BROWSER_TIERS[fields.browser_backend] : undefined;
  if (tier) out.push({ path: ["browser_backend"], why: tier });
  return out;
}

export function checkUnimplementedAgentFields(parsed: ParsedFile, data: AgentsFile): ConfigIssue[] {
  return Object.entries(data.agents).flatMap(([id, agent]) =>
    unimplementedFields(agent).map(({ path, why }) =>
      issueAt(parsed, ["agents", id, ...path], `not supported: ${why}`),
    ),
  );
}

/**
 * A remote MCP server's host must be in its agent's allowed_hosts: the egress proxy refuses it
 * otherwise (the same rule, services/egress-proxy/net/hosts.ts), so validate says so first.
 */
export function checkRemoteMcpHosts(parsed: ParsedFile, data: AgentsFile): ConfigIssue[] {
  return Object.entries(data.agents).flatMap(([id, agent]) =>
    agent.mcp_servers.flatMap((server, i) => {
      if (!server.url) return [];
      const url = new URL(server.url);
      if (findUrlRule(agent.allowed_hosts.map(compileHostPattern), url)) return [];
      return [
        issueAt(
          parsed,
          ["agents", id, "mcp_servers", i, "url"],
          `${url.host} is not in agents.${id}.allowed_hosts (${agent.allowed_hosts.join(", ") || "none"}): add "${url.port ? url.host : url.hostname}" there`,
        ),
      ];
    }),
  );
}

/** Every `allowed_apis` entry is "llm", an API under mesh.yaml `apis:`, or a built-in preset. */
export function checkAllowedApis(
  parsed: ParsedFile,
  raw: unknown,
  mesh: MeshFile | undefined,
): ConfigIssue[] {
  if (!mesh || !raw || typeof raw !== "object" || Array.isArray(raw)) return [];
  const known = new Set([LLM_API, ...Object.keys(mesh.apis), ...Object.keys(API_PRESETS)]);
  const issues: ConfigIssue[] = [];
  for (const [id, grants] of Object.entries(raw)) {
    const apis: unknown = grants && typeof grants === "object" ? grants.allowed_apis : undefined;
    if (!Array.isArray(apis)) continue;
    apis.forEach((api: unknown, i) => {
      if (typeof api !== "string" || known.has(api)) return;
      issues.push(
        issueAt(
          parsed,
          [id, "allowed_apis", i],
          `unknown api "${api}"${didYouMean(api, known)}: define it under apis: in config/mesh.yaml (built in: ${Object.keys(API_PRESETS).join(", ")})`,
        ),
      );
    });
  }
  return issues;
}

type StepLike = { when?: string | undefined; condition?: string | undefined; input_from?: unknown };

function celFields(step: StepLike): Array<[PropertyKey[], string]> {
  const out: Array<[PropertyKey[], string]> = [];
  if (step.when !== undefined) out.push([["when"], step.when]);
  if (step.condition !== undefined) out.push([["condition"], step.condition]);
  if (typeof step.input_from === "string" && !step.input_from.startsWith(BLACKBOARD_INPUT_PREFIX))
    out.push([["input_from"], step.input_from]);
  else if (step.input_from && typeof step.input_from === "object")
    for (const [key, source] of Object.entries(step.input_from))
      if (typeof source === "string") out.push([["input_from", key], source]);
  return out;
}

/** Every CEL expression of a workflow parses (conditions, inputs, the concurrency key). */
export function checkWorkflowExpressions({ parsed, data }: LoadedWorkflow): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const check = (path: PropertyKey[], source: string): void => {
    const compiled = compileExpr(source);
    if (isParseError(compiled))
      issues.push(issueAt(parsed, path, `not a valid CEL expression: ${compiled.parseError}`));
  };
  const sections = [
    ["steps", data.steps],
    ["handlers", data.handlers],
    ["finally", data.finally],
  ] as const;
  for (const [section, steps] of sections)
    steps.forEach((step: StepLike, i: number) => {
      for (const [path, source] of celFields(step)) check([section, i, ...path], source);
    });
  if (data.concurrency) check(["concurrency", "key"], data.concurrency.key);
  return issues;
}

/** Packages are baked into a derivative of the OpenLegion agent image: not into an image of your own. */
export function checkImagePackages(parsed: ParsedFile, data: AgentsFile): ConfigIssue[] {
  return Object.entries(data.agents).flatMap(([id, agent]) => {
    if (agent.image === undefined || agent.image === "toolbox") return [];
    const paths: PropertyKey[][] = [
      ...(agent.image_packages ? [["image_packages"]] : []),
      ...agent.mcp_servers.flatMap((s, i) => (s.package ? [["mcp_servers", i, "package"]] : [])),
    ];
    return paths.map((path) =>
      issueAt(
        parsed,
        ["agents", id, ...path],
        `packages are baked into the OpenLegion agent image, but image is "${agent.image}": install them in that image instead, or remove image`,
      ),
    );
  });
}
