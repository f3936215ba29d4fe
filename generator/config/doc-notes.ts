/**
 * Descriptions for workflow fields whose schemas carry no `.describe()` text yet (keyed by the
 * field's last path segment). A schema description, when present, always wins over these.
 * Semantics follow research/mesh.md §1.3.
 */
export const WORKFLOW_FIELD_NOTES: Record<string, string> = {
  apiVersion: 'Schema version of the richer format: "mesh/v1".',
  kind: '"Workflow".',
  name: "Workflow id (unique across files); a CEL identifier.",
  description: "Free text shown by `workflow list`.",
  deadline: 'Absolute time budget, e.g. "2h".',
  inputs: "Typed run inputs by name.",
  type: "JSON type of the input.",
  required: "Whether a run must supply the input.",
  default: "Value used when the input is not supplied.",
  fail_fast: "Stop scheduling new steps after the first failure.",
  max_parallel: "Steps of one run executing at once.",
  concurrency: "Limit concurrent runs that share a key.",
  key: "CEL expression whose value groups runs.",
  on_conflict: "What a new run does while another with the same key runs.",
  defaults: "Defaults for every step.",
  agent: "Agent that executes the step.",
  timeout: 'Seconds (seed format) or a duration like "15m".',
  retry: "Retry policy.",
  max_attempts: "Attempts including the first.",
  backoff: "Delay between attempts.",
  initial: "First delay.",
  factor: "Multiplier per attempt.",
  max: "Largest delay.",
  jitter: "Randomisation of the delay.",
  retry_on: "Failure kinds that are retried.",
  idempotent: "Safe to run again after a crash (resume re-runs it).",
  steps: "The DAG's steps.",
  id: "Step id (unique in the workflow); a CEL identifier, not a reserved name.",
  action: "What the step does; prompt sends task_type and input to the agent.",
  task_type: "Task name passed to the agent.",
  input: "Input object for the step.",
  input_from:
    'Where the input comes from: a CEL expression ("trigger.payload"), a map of them, or "blackboard://context/prospect_{lead_id}" (placeholders from the trigger payload or inputs; a missing entry gives {}).',
  result_schema: "JSON schema the step's result must satisfy.",
  on_interrupt: "What to do when the mesh restarted during the step.",
  on_failure:
    "Handler id(s) to run when the step (or workflow) fails; or the seed's abort | skip | retry | fallback when no handler has that name.",
  fallback_agent:
    "Agent that runs the step once more when it fails for good; its result replaces the step's.",
  max_retries: "Seed-format retries for on_failure: retry (1 s backoff, doubling).",
  on_complete:
    "Topic a succeeded run publishes {workflow, run_id, status, results} to (its subscribers get it).",
  continue_on_error: "Treat a failure of this step as success for its dependents.",
  depends_on: "Step ids that must finish first (no cycles).",
  trigger_rule: "Which dependency outcomes let the step run.",
  when: "CEL condition; the step is skipped when false.",
  condition: "Seed-format alias of when.",
  handlers: "Steps run on failure, referenced by on_failure.",
  finally: "Steps that always run at the end.",
};
