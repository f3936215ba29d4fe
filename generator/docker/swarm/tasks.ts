import { z } from "zod";

/**
 * What `docker stack ps --format '{{json .}}'` and `docker node ls --format '{{json .}}'` print,
 * parsed with zod (one JSON object per line), and the pure judgement of a stack's state.
 */
const taskLine = z.object({
  ID: z.string(),
  Name: z.string(),
  Node: z.string(),
  DesiredState: z.string(),
  CurrentState: z.string(),
  Error: z.string().default(""),
});
const nodeLine = z.object({
  ID: z.string(),
  Hostname: z.string(),
  Status: z.string(),
  Availability: z.string(),
  ManagerStatus: z.string().default(""),
});

export type SwarmTask = z.infer<typeof taskLine>;
export type SwarmNode = z.infer<typeof nodeLine>;

function jsonLines<T>(schema: z.ZodType<T>, text: string): T[] {
  const out: T[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim().startsWith("{")) continue;
    const parsed = schema.safeParse(JSON.parse(line));
    if (parsed.success) out.push(parsed.data);
  }
  return out;
}

export const parseTasks = (text: string): SwarmTask[] => jsonLines(taskLine, text);
export const parseNodes = (text: string): SwarmNode[] => jsonLines(nodeLine, text);

/** `<stack>_<service>.<slot>` (or `.<node id>` for global services) → service. */
export function serviceOfTask(stack: string, taskName: string): string | undefined {
  const prefix = `${stack}_`;
  const name = taskName.replace(/^[\s\\_]+/, ""); // older tasks of a slot print as " \_ <name>"
  if (!name.startsWith(prefix)) return undefined;
  return name.slice(prefix.length).replace(/\.[^.]+$/, "");
}

export interface ServiceRow {
  service: string;
  /** Node of the task Swarm wants running, or "-" when none is placed. */
  node: string;
  /** running (healthy: Swarm keeps a task "starting" until its healthcheck passes), starting, pending, … */
  state: string;
  /** The node is down or drained: the task is stuck there or waiting for another node. */
  nodeDown: boolean;
  error: string;
}

/**
 * One row per service: the newest task whose desired state is running. A task whose node is down
 * is reported as such (Swarm reschedules it when another node satisfies the placement).
 */
export function serviceRows(
  stack: string,
  services: readonly string[],
  tasks: readonly SwarmTask[],
  nodes: readonly SwarmNode[],
): ServiceRow[] {
  const down = new Set(
    nodes
      .filter((n) => n.Status.toLowerCase() !== "ready" || n.Availability.toLowerCase() !== "active")
      .map((n) => n.Hostname),
  );
  return services.map((service) => {
    const wanted = tasks.filter(
      (t) => serviceOfTask(stack, t.Name) === service && t.DesiredState.toLowerCase() === "running",
    );
    const task = wanted[0];
    if (!task) return { service, node: "-", state: "missing", nodeDown: false, error: "" };
    const state = (task.CurrentState.split(" ")[0] ?? "").toLowerCase();
    return {
      service,
      node: task.Node || "-",
      state: state || "unknown",
      nodeDown: task.Node !== "" && down.has(task.Node),
      error: task.Error,
    };
  });
}

export const converged = (rows: readonly ServiceRow[]): boolean =>
  rows.length > 0 && rows.every((r) => r.state === "running" && !r.nodeDown);

/** A fixed-width table: service, node, state (and why, when not running). */
export function formatRows(rows: readonly ServiceRow[]): string {
  const width = Math.max(7, ...rows.map((r) => r.service.length));
  const nodeWidth = Math.max(4, ...rows.map((r) => r.node.length));
  const lines = [`${"SERVICE".padEnd(width)}  ${"NODE".padEnd(nodeWidth)}  STATE`];
  for (const r of rows) {
    const note = r.nodeDown ? " (node down)" : r.error ? ` (${r.error})` : "";
    lines.push(`${r.service.padEnd(width)}  ${r.node.padEnd(nodeWidth)}  ${r.state}${note}`);
  }
  return `${lines.join("\n")}\n`;
}
