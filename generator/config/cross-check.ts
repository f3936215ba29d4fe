import { Cron } from "croner";
import { isReservedAgentId, RESERVED_AGENT_IDS } from "../../services/common/agent-ids.js";
import { issueAt, type ParsedFile } from "./document.js";
import type { ConfigIssue } from "./errors.js";
import type { AgentsFile } from "./schemas/agents.js";
import type { MeshFile } from "./schemas/mesh.js";
import type { WatchersFile } from "./schemas/watchers.js";
import { didYouMean } from "./suggest.js";
import type { LoadedWorkflow } from "./workflow-check.js";

export interface Loaded<T> {
  parsed: ParsedFile;
  data: T;
}

export interface CrossCheckInput {
  /**
   * The agent ids of agents.yaml, with its data when it validated. Undefined when the file could not
   * be parsed at all: then no reference to an agent is checked.
   */
  agents: { parsed: ParsedFile; ids: ReadonlySet<string>; data: AgentsFile | undefined } | undefined;
  /** permissions.json as parsed JSON (validated or not), when it could be parsed. */
  permissions: { parsed: ParsedFile; raw: unknown } | undefined;
  mesh: Loaded<MeshFile> | undefined;
  workflows: readonly LoadedWorkflow[];
  /** False when some workflow file failed to load: then webhook → workflow references are not checked. */
  workflowsComplete: boolean;
  watchers: Loaded<WatchersFile> | undefined;
}

function agentRef(ids: ReadonlySet<string>) {
  return (parsed: ParsedFile, path: PropertyKey[], id: string | undefined): ConfigIssue[] =>
    id === undefined || ids.has(id)
      ? []
      : [issueAt(parsed, path, `unknown agent "${id}"${didYouMean(id, ids)}`)];
}

function checkAgents(
  parsed: ParsedFile,
  ids: ReadonlySet<string>,
  data: AgentsFile | undefined,
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const id of ids) {
    if (isReservedAgentId(id)) {
      issues.push(
        issueAt(
          parsed,
          ["agents", id],
          `agent id "${id}" is reserved (a built-in service, network or principal has that name: ${RESERVED_AGENT_IDS.join(", ")})`,
          "key",
        ),
      );
    }
  }
  for (const [id, agent] of Object.entries(data?.agents ?? {})) {
    const names = new Set<string>();
    agent.mcp_servers.forEach((server, i) => {
      if (names.has(server.name)) {
        issues.push(
          issueAt(
            parsed,
            ["agents", id, "mcp_servers", i, "name"],
            `duplicate MCP server name "${server.name}"`,
          ),
        );
      }
      names.add(server.name);
    });
  }
  return issues;
}

/**
 * Runs on the raw JSON value, so unknown agents are reported even when another entry of the file
 * failed its schema (a malformed glob must not hide a grant to a non-existent agent).
 */
function checkPermissions(parsed: ParsedFile, raw: unknown, ids: ReadonlySet<string>): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return issues;
  for (const [id, grants] of Object.entries(raw)) {
    if (!ids.has(id)) {
      issues.push(
        issueAt(
          parsed,
          [id],
          `unknown agent "${id}"${didYouMean(id, ids)} (not defined in config/agents.yaml)`,
          "key",
        ),
      );
    }
    const targets: unknown =
      grants && typeof grants === "object" ? (grants as { can_message?: unknown }).can_message : undefined;
    if (!Array.isArray(targets)) continue;
    targets.forEach((target: unknown, i) => {
      if (typeof target !== "string" || target === "*") return;
      const path = [id, "can_message", i];
      if (target === id) issues.push(issueAt(parsed, path, "an agent cannot be granted messaging to itself"));
      else if (!ids.has(target))
        issues.push(issueAt(parsed, path, `unknown agent "${target}"${didYouMean(target, ids)}`));
    });
  }
  return issues;
}

function uniqueNames(
  parsed: ParsedFile,
  list: ReadonlyArray<{ name: string }>,
  section: string,
): ConfigIssue[] {
  const seen = new Set<string>();
  const issues: ConfigIssue[] = [];
  list.forEach((item, i) => {
    if (seen.has(item.name))
      issues.push(issueAt(parsed, [section, i, "name"], `duplicate ${section} name "${item.name}"`));
    seen.add(item.name);
  });
  return issues;
}

function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function checkMesh(
  mesh: Loaded<MeshFile>,
  ids: ReadonlySet<string> | undefined,
  workflows: ReadonlySet<string> | undefined,
): ConfigIssue[] {
  const { parsed, data } = mesh;
  const ref = agentRef(ids ?? new Set());
  const issues: ConfigIssue[] = [
    ...uniqueNames(parsed, data.webhooks, "webhooks"),
    ...uniqueNames(parsed, data.schedules, "schedules"),
  ];
  if (ids) {
    issues.push(
      ...data.webhooks.flatMap((hook, i) => ref(parsed, ["webhooks", i, "agent"], hook.agent)),
      ...data.schedules.flatMap((s, i) => ref(parsed, ["schedules", i, "agent"], s.agent)),
      ...data.heartbeats.flatMap((h, i) => ref(parsed, ["heartbeats", i, "agent"], h.agent)),
    );
    for (const [channel, config] of Object.entries(data.channels)) {
      issues.push(...ref(parsed, ["channels", channel, "default_agent"], config?.default_agent));
      for (const [i, a] of (config?.agents ?? []).entries())
        issues.push(...ref(parsed, ["channels", channel, "agents", i], a));
      const allowed = config?.agents;
      if (allowed && config?.default_agent && !allowed.includes(config.default_agent))
        issues.push(
          issueAt(
            parsed,
            ["channels", channel, "default_agent"],
            `"${config.default_agent}" is not in channels.${channel}.agents`,
          ),
        );
    }
  }
  const beats = new Set<string>();
  data.heartbeats.forEach((h, i) => {
    if (beats.has(h.agent))
      issues.push(issueAt(parsed, ["heartbeats", i, "agent"], `agent "${h.agent}" already has a heartbeat`));
    beats.add(h.agent);
  });
  data.webhooks.forEach((hook, i) => {
    if (workflows && hook.workflow !== undefined && !workflows.has(hook.workflow)) {
      issues.push(
        issueAt(
          parsed,
          ["webhooks", i, "workflow"],
          `unknown workflow "${hook.workflow}"${didYouMean(hook.workflow, workflows)}`,
        ),
      );
    }
  });
  data.schedules.forEach((s, i) => {
    if (workflows && s.workflow !== undefined && !workflows.has(s.workflow))
      issues.push(
        issueAt(
          parsed,
          ["schedules", i, "workflow"],
          `unknown workflow "${s.workflow}"${didYouMean(s.workflow, workflows)}`,
        ),
      );
    if (!validTimeZone(s.timezone))
      issues.push(issueAt(parsed, ["schedules", i, "timezone"], `unknown time zone "${s.timezone}"`));
    else if (s.cron !== undefined) {
      try {
        // 5 fields, as the mesh's scheduler accepts (croner alone would also take seconds).
        new Cron(s.cron, { paused: true, mode: "5-part", timezone: s.timezone }).stop();
      } catch (error) {
        const reason = error instanceof Error ? error.message : "invalid";
        issues.push(issueAt(parsed, ["schedules", i, "cron"], `invalid cron expression: ${reason}`));
      }
    }
  });
  for (const [provider, config] of Object.entries(data.providers)) {
    if (config.api === "openai-compatible" && config.base_url === undefined) {
      issues.push(issueAt(parsed, ["providers", provider], "an openai-compatible provider needs base_url"));
    }
  }
  return issues;
}

function checkWorkflowAgents({ parsed, data }: LoadedWorkflow, ids: ReadonlySet<string>): ConfigIssue[] {
  const ref = agentRef(ids);
  const issues: ConfigIssue[] = [...ref(parsed, ["defaults", "agent"], data.defaults.agent)];
  const groups = [
    ["steps", data.steps],
    ["handlers", data.handlers],
    ["finally", data.finally],
  ] as const;
  for (const [section, list] of groups) {
    list.forEach((step, i) => {
      issues.push(...ref(parsed, [section, i, "agent"], step.agent));
      issues.push(...ref(parsed, [section, i, "fallback_agent"], step.fallback_agent));
      if (step.action === "prompt" && step.agent === undefined && data.defaults.agent === undefined) {
        issues.push(
          issueAt(
            parsed,
            [section, i],
            `step "${step.id}" needs an agent (set agent, or defaults.agent for the workflow)`,
          ),
        );
      }
    });
  }
  return issues;
}

/** Checks that span files: every agent a file names exists, ids are not reserved, and so on. */
export function crossCheck(input: CrossCheckInput): ConfigIssue[] {
  const ids = input.agents?.ids;
  const issues = input.agents ? checkAgents(input.agents.parsed, input.agents.ids, input.agents.data) : [];
  const workflowNames = input.workflowsComplete
    ? new Set(input.workflows.map((w) => w.data.name))
    : undefined;
  if (input.mesh) issues.push(...checkMesh(input.mesh, ids, workflowNames));
  if (!ids) return issues;
  if (input.permissions)
    issues.push(...checkPermissions(input.permissions.parsed, input.permissions.raw, ids));
  for (const workflow of input.workflows) issues.push(...checkWorkflowAgents(workflow, ids));
  const watchers = input.watchers;
  if (watchers) {
    const ref = agentRef(ids);
    issues.push(
      ...watchers.data.watchers.flatMap((w, i) => ref(watchers.parsed, ["watchers", i, "agent"], w.agent)),
    );
  }
  return issues;
}
