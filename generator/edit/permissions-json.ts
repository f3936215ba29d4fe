import type { AgentPermissions } from "../config/schemas/permissions.js";

/**
 * Edits of config/permissions.json. JSON keeps no comments, so the file is re-emitted with its own
 * indentation (detected) and key order; `init` writes exactly this layout, so an edit changes only
 * the lines of the agents it touches.
 */
export interface PermissionsText {
  data: Record<string, Record<string, unknown>>;
  indent: string;
  finalNewline: boolean;
}

export function parsePermissionsText(text: string): PermissionsText {
  const data: unknown = JSON.parse(text);
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new Error("permissions.json must be a JSON object of agent id → grants");
  }
  const indentLine = text.split("\n").find((line, i) => i > 0 && /^\s+\S/.test(line));
  const indent = indentLine ? (/^(\s+)/.exec(indentLine)?.[1] ?? "  ") : "  ";
  return { data: data as Record<string, Record<string, unknown>>, indent, finalNewline: text.endsWith("\n") };
}

export function serializePermissions(p: PermissionsText): string {
  return JSON.stringify(p.data, null, p.indent) + (p.finalNewline ? "\n" : "");
}

/** Least privilege for a new agent: the LLM, and its own slice of the blackboard. */
export function defaultGrants(id: string): Omit<AgentPermissions, "can_schedule"> {
  return {
    can_message: [],
    can_publish: [],
    can_subscribe: [],
    blackboard_read: ["tasks/*", `context/${id}_*`],
    blackboard_write: [`context/${id}_*`],
    allowed_apis: ["llm"],
  };
}

/** Drops `id` and every `can_message` grant naming it; returns the agents that lost one. */
export function removeAgentGrants(p: PermissionsText, id: string): string[] {
  delete p.data[id];
  const touched: string[] = [];
  for (const [other, grants] of Object.entries(p.data)) {
    const targets = grants.can_message;
    if (Array.isArray(targets) && targets.includes(id)) {
      grants.can_message = targets.filter((target) => target !== id);
      touched.push(other);
    }
  }
  return touched;
}
