import { type CodeOf, errorKinds } from "../../../common/errors.js";

const kind = errorKinds("ORCH");

/**
 * Error catalog of the orchestration module (workflows, schedules, heartbeats, webhooks, watchers).
 * One constructor per stable code; every code is listed in docs/errors/orchestration.md.
 * Messages name the rule that failed, never a secret or a request body.
 */
export const OrchErrors = {
  badDefinition: kind("OL_ERR_ORCH_BAD_DEFINITION", 400, (workflow: string, issues: readonly string[]) => [
    `workflow "${workflow}" is invalid: ${issues.slice(0, 10).join("; ")}`,
    { issues: [...issues] },
  ]),
  unknownWorkflow: kind("OL_ERR_ORCH_UNKNOWN_WORKFLOW", 404, (name: string) => `no workflow named "${name}"`),
  unknownRun: kind("OL_ERR_ORCH_UNKNOWN_RUN", 404, (id: string) => `no workflow run "${id}"`),
  badInputs: kind("OL_ERR_ORCH_BAD_INPUTS", 400, (workflow: string, issues: readonly string[]) => [
    `inputs of "${workflow}": ${issues.join("; ")}`,
    { issues: [...issues] },
  ]),
  notWaiting: kind(
    "OL_ERR_ORCH_NOT_WAITING",
    409,
    (run: string, step: string, status: string) =>
      `step "${step}" of run ${run} is ${status}, not waiting for a decision`,
  ),
  runFinished: kind(
    "OL_ERR_ORCH_RUN_FINISHED",
    409,
    (run: string, status: string) => `run ${run} already finished (${status})`,
  ),
  runLimit: kind("OL_ERR_ORCH_RUN_LIMIT", 429, (limit: number) => [
    `${limit} workflow runs are active (the limit); retry later`,
    { retry_after_s: 5 },
  ]),
  badSchedule: kind(
    "OL_ERR_ORCH_BAD_SCHEDULE",
    400,
    (spec: string, why: string) => `schedule ${JSON.stringify(spec.slice(0, 120))}: ${why}`,
  ),
  scheduleLimit: kind(
    "OL_ERR_ORCH_SCHEDULE_LIMIT",
    409,
    (agent: string, limit: number) => `agent "${agent}" already has ${limit} schedules (the limit)`,
  ),
  scheduleFromConfig: kind(
    "OL_ERR_ORCH_SCHEDULE_FROM_CONFIG",
    409,
    (id: string) =>
      `schedule "${id}" comes from mesh.yaml: pause or resume it here, change it in mesh.yaml (openlegion up)`,
  ),
  unknownSchedule: kind("OL_ERR_ORCH_UNKNOWN_SCHEDULE", 404, (id: string) => `no schedule "${id}"`),
  unknownWebhook: kind("OL_ERR_ORCH_UNKNOWN_WEBHOOK", 404, (name: string) => `no webhook "${name}"`),
  webhookSignature: kind("OL_ERR_ORCH_WEBHOOK_SIGNATURE", 401, (why: string) => `webhook rejected: ${why}`),
  webhookTooLarge: kind(
    "OL_ERR_ORCH_WEBHOOK_TOO_LARGE",
    413,
    (limit: number) => `webhook body exceeds ${limit} bytes`,
  ),
  webhookPayload: kind(
    "OL_ERR_ORCH_WEBHOOK_PAYLOAD",
    400,
    (why: string) => `webhook payload rejected: ${why}`,
  ),
  staleResult: kind(
    "OL_ERR_ORCH_STALE_RESULT",
    409,
    (key: string) =>
      `result for dispatch ${key.slice(0, 16)}… does not match the step's current attempt; discarded`,
  ),
  notYourStep: kind(
    "OL_ERR_ORCH_NOT_YOUR_STEP",
    403,
    (agent: string) => `agent "${agent}" was not dispatched this step`,
  ),
  concurrencyKey: kind(
    "OL_ERR_ORCH_CONCURRENCY_KEY",
    400,
    (workflow: string, why: string) => `concurrency.key of "${workflow}" failed: ${why}`,
  ),
  concurrencySkipped: kind("OL_ERR_ORCH_CONCURRENCY_SKIPPED", 409, (workflow: string, blocking: string) => [
    `"${workflow}" already has an active run with the same concurrency key (${blocking}); on_conflict: skip`,
    { blocking_run: blocking },
  ]),
  queueFull: kind("OL_ERR_ORCH_QUEUE_FULL", 429, (workflow: string, limit: number) => [
    `"${workflow}" already has ${limit} runs queued for this concurrency key (the limit)`,
    { retry_after_s: 30 },
  ]),
  badConfig: kind("OL_ERR_ORCH_BAD_CONFIG", 500, (what: string, why: string) => `${what}: ${why}`),
} as const;

export type OrchCode = CodeOf<typeof OrchErrors>;
