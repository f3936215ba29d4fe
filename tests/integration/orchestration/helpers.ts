import type { FakeAgent } from "../mesh/helpers.js";

/** The fields tests read of a `workflow_task` message (services/mesh/modules/orchestration/plugin/sink.ts). */
export interface WorkflowTask {
  type: string;
  dispatch_key: string;
  run_id: string;
  step_id: string;
  attempt: number;
  input: Record<string, unknown>;
}

/** Every workflow task the fake agent has been delivered, oldest first. */
export const tasksOf = (agent: FakeAgent): WorkflowTask[] =>
  agent.deliveries
    .flatMap((d) => d.messages.map((m) => m.payload as WorkflowTask))
    .filter((p) => p.type === "workflow_task");
