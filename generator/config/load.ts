import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { withApiPresets } from "./api-presets.js";
import { type CrossCheckInput, crossCheck, type Loaded } from "./cross-check.js";
import type { ParsedFile } from "./document.js";
import { validateEnvText } from "./env-file.js";
import { ConfigError, type ConfigIssue } from "./errors.js";
import { type FileResult, loadJsonFile, loadTextFile, loadYamlFile } from "./files.js";
import { mergedDuplicateIssues } from "./merge-check.js";
import { type AgentsFile, agentsFileSchema } from "./schemas/agents.js";
import type { EnvFile } from "./schemas/env.js";
import type { FleetConfig, ResolvedAgent } from "./schemas/fleet.js";
import { type MeshFile, meshFileSchema } from "./schemas/mesh.js";
import {
  agentPermissionsSchema,
  type PermissionsFile,
  permissionsFileSchema,
} from "./schemas/permissions.js";
import { type WatchersFile, watchersFileSchema } from "./schemas/watchers.js";
import { workflowSchema } from "./schemas/workflows.js";
import {
  checkAllowedApis,
  checkImagePackages,
  checkRemoteMcpHosts,
  checkUnimplementedAgentFields,
  checkWorkflowExpressions,
} from "./service-checks.js";
import { checkWorkflowGraph, checkWorkflowNames, type LoadedWorkflow } from "./workflow-check.js";
import { dollarKeyIssues } from "./yaml-file.js";

/** Fleet-relative paths of the files a fleet is made of (ARCHITECTURE.md §3). */
export const FLEET_FILES = {
  agents: "config/agents.yaml",
  permissions: "config/permissions.json",
  mesh: "config/mesh.yaml",
  workflows: "config/workflows",
  watchers: "config/watchers.yaml",
  env: ".env",
  project: "PROJECT.md",
} as const;

/** More workflow files than this is refused (each is read and validated). */
export const MAX_WORKFLOW_FILES = 256;

export interface LoadFleetOptions {
  /** Require `.env` (render needs the master key; validate does not). Default false. */
  requireEnv?: boolean;
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function loadWorkflows(
  root: string,
  issues: ConfigIssue[],
): Promise<{ workflows: LoadedWorkflow[]; complete: boolean }> {
  const dir = FLEET_FILES.workflows;
  let names: string[];
  try {
    const entries = await readdir(join(root, dir));
    names = entries.filter((name) => /\.ya?ml$/.test(name) && !name.startsWith(".")).sort(byText);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "ENOENT") return { workflows: [], complete: true };
    const message =
      code === "ENOTDIR"
        ? "expected a directory of *.yaml workflow files"
        : `cannot read: ${code ?? "error"}`;
    issues.push({ file: dir, line: 1, col: 1, path: "", message });
    return { workflows: [], complete: false };
  }
  if (names.length > MAX_WORKFLOW_FILES) {
    issues.push({
      file: dir,
      line: 1,
      col: 1,
      path: "",
      message: `too many workflow files (${names.length}; at most ${MAX_WORKFLOW_FILES})`,
    });
    return { workflows: [], complete: false };
  }
  const workflows: LoadedWorkflow[] = [];
  let complete = true;
  for (const name of names) {
    const result = await loadYamlFile(root, `${dir}/${name}`, workflowSchema, issues);
    if (result.status === "ok") workflows.push(result.loaded);
    else complete = false;
  }
  return { workflows, complete };
}

async function loadAgents(root: string, issues: ConfigIssue[]): Promise<FileResult<AgentsFile>> {
  const file = FLEET_FILES.agents;
  const result = await loadYamlFile(root, file, agentsFileSchema, issues, (parsed) =>
    mergedDuplicateIssues(parsed, ["agents"], "agent"),
  );
  if (result.status === "missing") {
    const yml = await exists(join(root, "config/agents.yml"));
    const hint = yml
      ? 'found config/agents.yml: rename it to "agents.yaml"'
      : "run `openlegion init` to create a fleet";
    issues.push({ file, line: 1, col: 1, path: "", message: `required file is missing (${hint})` });
  }
  return result;
}

async function loadEnv(root: string, required: boolean, issues: ConfigIssue[]): Promise<EnvFile | undefined> {
  const read = await loadTextFile(root, FLEET_FILES.env, issues);
  if (read.status === "missing") {
    if (required) {
      const message =
        "required file is missing (it holds OPENLEGION_MASTER_KEY; `openlegion init` creates it)";
      issues.push({ file: FLEET_FILES.env, line: 1, col: 1, path: "", message });
    }
    return undefined;
  }
  if (read.status === "invalid") return undefined;
  const result = validateEnvText(FLEET_FILES.env, read.text);
  if (!result.ok) {
    issues.push(...result.issues);
    return undefined;
  }
  return result.env;
}

function agentIdsOf(result: FileResult<AgentsFile>): CrossCheckInput["agents"] {
  if (result.status === "ok") {
    const { parsed, data } = result.loaded;
    return { parsed, ids: new Set(Object.keys(data.agents)), data };
  }
  // A schema error elsewhere in agents.yaml should not hide errors in files that name its agents.
  const partial = result.status === "invalid" ? result.partial : undefined;
  const raw = partial?.raw;
  const agents = raw && typeof raw === "object" && "agents" in raw ? raw.agents : undefined;
  if (!partial || !agents || typeof agents !== "object" || Array.isArray(agents)) return undefined;
  return { parsed: partial.parsed, ids: new Set(Object.keys(agents)), data: undefined };
}

function rawOf<T>(result: FileResult<T>): { parsed: ParsedFile; raw: unknown } | undefined {
  if (result.status === "ok") return { parsed: result.loaded.parsed, raw: result.loaded.data };
  return result.status === "invalid" ? result.partial : undefined;
}

const loadedOf = <T>(result: FileResult<T>): Loaded<T> | undefined =>
  result.status === "ok" ? result.loaded : undefined;

function resolveAgents(agents: AgentsFile, mesh: MeshFile, permissions: PermissionsFile): ResolvedAgent[] {
  return Object.entries(agents.agents)
    .sort(([a], [b]) => byText(a, b))
    .map(([id, agent]) => ({
      ...agent,
      id,
      // Unset = the agent does not browse (no browser sidecar, no browser tools).
      browser_backend: agent.browser_backend,
      model: agent.model ?? mesh.llm.default_model,
      max_tokens: agent.max_tokens ?? mesh.llm.max_tokens,
      temperature: agent.temperature ?? mesh.llm.temperature,
      permissions: permissions[id] ?? agentPermissionsSchema.parse({}),
    }));
}

/**
 * Loads, validates and cross-checks the fleet in `dir`. Every problem in every file is collected
 * first; if there is any, a `ConfigError` carrying all of them (sorted) is thrown. Reads only.
 */
export async function loadFleet(dir: string, opts: LoadFleetOptions = {}): Promise<FleetConfig> {
  const issues: ConfigIssue[] = [];
  const agents = await loadAgents(dir, issues);
  const permissions = await loadJsonFile(
    dir,
    FLEET_FILES.permissions,
    permissionsFileSchema,
    issues,
    dollarKeyIssues,
  );
  const mesh = await loadYamlFile(dir, FLEET_FILES.mesh, meshFileSchema, issues);
  const { workflows, complete } = await loadWorkflows(dir, issues);
  const watchers = await loadYamlFile(dir, FLEET_FILES.watchers, watchersFileSchema, issues);
  const env = await loadEnv(dir, opts.requireEnv ?? false, issues);
  const project = await loadTextFile(dir, FLEET_FILES.project, issues);

  for (const workflow of workflows)
    issues.push(...checkWorkflowGraph(workflow), ...checkWorkflowExpressions(workflow));
  if (agents.status === "ok")
    issues.push(
      ...checkUnimplementedAgentFields(agents.loaded.parsed, agents.loaded.data),
      ...checkRemoteMcpHosts(agents.loaded.parsed, agents.loaded.data),
      ...checkImagePackages(agents.loaded.parsed, agents.loaded.data),
    );
  const rawPermissions = rawOf(permissions);
  // An absent mesh.yaml defines no APIs; one that failed to load cannot say what it defines.
  const meshApis = mesh.status === "invalid" ? undefined : (loadedOf(mesh)?.data ?? meshFileSchema.parse({}));
  if (rawPermissions) issues.push(...checkAllowedApis(rawPermissions.parsed, rawPermissions.raw, meshApis));
  issues.push(...checkWorkflowNames(workflows));
  issues.push(
    ...crossCheck({
      agents: agentIdsOf(agents),
      permissions: rawOf(permissions),
      mesh: loadedOf(mesh),
      workflows,
      workflowsComplete: complete,
      watchers: loadedOf(watchers),
    }),
  );
  if (issues.length > 0 || agents.status !== "ok") throw new ConfigError(issues);

  const permissionData: PermissionsFile = permissions.status === "ok" ? permissions.loaded.data : {};
  const meshFile: MeshFile = mesh.status === "ok" ? mesh.loaded.data : meshFileSchema.parse({});
  const meshData: MeshFile = { ...meshFile, apis: withApiPresets(meshFile.apis, permissionData) };
  const watcherData: WatchersFile = watchers.status === "ok" ? watchers.loaded.data : { watchers: [] };
  return {
    agents: resolveAgents(agents.loaded.data, meshData, permissionData),
    mesh: meshData,
    workflows: workflows.map((w) => w.data).sort((a, b) => byText(a.name, b.name)),
    watchers: watcherData.watchers,
    env,
    project: project.status === "ok" ? project.text : "",
  };
}
