import {
  seedFieldIssues,
  seedPolicy,
} from "../../services/mesh/modules/orchestration/workflow/definition.js";
import { issueAt, type ParsedFile } from "./document.js";
import type { ConfigIssue } from "./errors.js";
import type { WorkflowConfig } from "./schemas/workflows.js";
import { didYouMean } from "./suggest.js";

export interface LoadedWorkflow {
  parsed: ParsedFile;
  data: WorkflowConfig;
}

/**
 * The step that closes a cycle among `remaining` steps, walking depends_on edges: returns the ids
 * along the cycle, first id repeated at the end (`["a", "b", "a"]`).
 */
function findCycle(remaining: Set<string>, deps: Map<string, string[]>): string[] {
  const start = [...remaining].sort()[0];
  if (start === undefined) return [];
  const order: string[] = [];
  const seenAt = new Map<string, number>();
  let current: string | undefined = start;
  while (current !== undefined && !seenAt.has(current)) {
    seenAt.set(current, order.length);
    order.push(current);
    current = (deps.get(current) ?? []).filter((d) => remaining.has(d)).sort()[0];
  }
  if (current === undefined) return [];
  const cycle = order.slice(seenAt.get(current));
  return [...cycle, current];
}

/** Kahn's algorithm over depends_on; returns the steps that never became ready (in or behind a cycle). */
export function unresolvedSteps(
  steps: ReadonlyArray<{ id: string; depends_on: readonly string[] }>,
): Set<string> {
  const ids = new Set(steps.map((s) => s.id));
  const indegree = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const step of steps) {
    const deps = [...new Set(step.depends_on)].filter((d) => ids.has(d));
    indegree.set(step.id, deps.length);
    for (const dep of deps) dependents.set(dep, [...(dependents.get(dep) ?? []), step.id]);
  }
  const queue = [...indegree].filter(([, n]) => n === 0).map(([id]) => id);
  const done = new Set<string>();
  while (queue.length > 0) {
    const id = queue.shift() as string;
    done.add(id);
    for (const next of dependents.get(id) ?? []) {
      const left = (indegree.get(next) ?? 0) - 1;
      indegree.set(next, left);
      if (left === 0) queue.push(next);
    }
  }
  return new Set([...ids].filter((id) => !done.has(id)));
}

/** Step graph checks of one workflow: unique ids, known dependencies and handlers, no cycles. */
export function checkWorkflowGraph({ parsed, data }: LoadedWorkflow): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const firstIndex = new Map<string, number>();
  data.steps.forEach((step, i) => {
    const first = firstIndex.get(step.id);
    if (first === undefined) firstIndex.set(step.id, i);
    else
      issues.push(
        issueAt(parsed, ["steps", i, "id"], `duplicate step id "${step.id}" (also steps.${first})`),
      );
  });
  const stepIds = [...firstIndex.keys()];
  const handlerIds = new Set<string>();
  data.handlers.forEach((handler, i) => {
    if (handlerIds.has(handler.id))
      issues.push(issueAt(parsed, ["handlers", i, "id"], `duplicate handler id "${handler.id}"`));
    else if (firstIndex.has(handler.id))
      issues.push(issueAt(parsed, ["handlers", i, "id"], `handler id "${handler.id}" is also a step id`));
    handlerIds.add(handler.id);
  });
  const unknownHandler = (id: string): string =>
    `unknown handler "${id}"${didYouMean(id, handlerIds)} (define it under handlers:)`;
  data.steps.forEach((step, i) => {
    step.depends_on.forEach((dep, j) => {
      if (dep === step.id)
        issues.push(issueAt(parsed, ["steps", i, "depends_on", j], `step "${step.id}" depends on itself`));
      else if (!firstIndex.has(dep)) {
        issues.push(
          issueAt(parsed, ["steps", i, "depends_on", j], `unknown step "${dep}"${didYouMean(dep, stepIds)}`),
        );
      }
    });
    if (
      step.on_failure !== undefined &&
      !handlerIds.has(step.on_failure) &&
      seedPolicy(step.on_failure, data.handlers) === null
    ) {
      issues.push(issueAt(parsed, ["steps", i, "on_failure"], unknownHandler(step.on_failure)));
    }
  });
  // The seed's failure fields (fallback_agent, max_retries) must mean something; same rule as the mesh's.
  for (const problem of seedFieldIssues(data)) {
    const [id, field] = problem.split(":")[0]?.split(".") ?? [];
    const index = data.steps.findIndex((s) => s.id === id);
    issues.push(
      issueAt(
        parsed,
        index >= 0 ? ["steps", index, field ?? "id"] : [],
        problem.slice(problem.indexOf(":") + 2),
      ),
    );
  }
  data.on_failure.forEach((id, i) => {
    if (!handlerIds.has(id)) issues.push(issueAt(parsed, ["on_failure", i], unknownHandler(id)));
  });
  const graph = data.steps
    .filter((s, i) => firstIndex.get(s.id) === i)
    .map((s) => ({ id: s.id, depends_on: s.depends_on.filter((d) => d !== s.id) }));
  const stuck = unresolvedSteps(graph);
  if (stuck.size > 0) {
    const deps = new Map(graph.map((s) => [s.id, s.depends_on]));
    const cycle = findCycle(stuck, deps);
    const head = cycle[0];
    const index = data.steps.findIndex((s) => s.id === head);
    if (head !== undefined && index >= 0) {
      issues.push(issueAt(parsed, ["steps", index, "depends_on"], `dependency cycle: ${cycle.join(" → ")}`));
    }
  }
  return issues;
}

/** Workflow names are unique across files; the later file (by name) gets the issue. */
export function checkWorkflowNames(workflows: readonly LoadedWorkflow[]): ConfigIssue[] {
  const seen = new Map<string, string>();
  const issues: ConfigIssue[] = [];
  for (const { parsed, data } of workflows) {
    const other = seen.get(data.name);
    if (other)
      issues.push(issueAt(parsed, ["name"], `workflow name "${data.name}" is also used in ${other}`));
    else seen.set(data.name, parsed.file);
  }
  return issues;
}
