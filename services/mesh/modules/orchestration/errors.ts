import { OlError } from "../../../common/errors.js";

/**
 * Error catalog of the orchestration module (workflows, schedules, heartbeats, webhooks, watchers).
 * One constructor per stable code; every code is listed in docs/errors/orchestration.md.
 * Messages name the rule that failed, never a secret or a request body.
 */
export const OrchErrors = {
  badDefinition: (workflow: string, issues: readonly string[]) =>
    new OlError(
      "OL_ERR_ORCH_BAD_DEFINITION",
      `workflow "${workflow}" is invalid: ${issues.slice(0, 10).join("; ")}`,
      400,
      { details: { issues: [...issues] } },
    ),
  unknownWorkflow: (name: string) =>
    new OlError("OL_ERR_ORCH_UNKNOWN_WORKFLOW", `no workflow named "${name}"`, 404),
  unknownRun: (id: string) => new OlError("OL_ERR_ORCH_UNKNOWN_RUN", `no workflow run "${id}"`, 404),
  badInputs: (workflow: string, issues: readonly string[]) =>
    new OlError("OL_ERR_ORCH_BAD_INPUTS", `inputs of "${workflow}": ${issues.join("; ")}`, 400, {
      details: { issues: [...issues] },
    }),
  notWaiting: (run: string, step: string, status: string) =>
    new OlError(
      "OL_ERR_ORCH_NOT_WAITING",
      `step "${step}" of run ${run} is ${status}, not waiting for a decision`,
      409,
    ),
  runFinished: (run: string, status: string) =>
    new OlError("OL_ERR_ORCH_RUN_FINISHED", `run ${run} already finished (${status})`, 409),
  runLimit: (limit: number) =>
    new OlError("OL_ERR_ORCH_RUN_LIMIT", `${limit} workflow runs are active (the limit); retry later`, 429, {
      details: { retry_after_s: 5 },
    }),
  badSchedule: (spec: string, why: string) =>
    new OlError("OL_ERR_ORCH_BAD_SCHEDULE", `schedule ${JSON.stringify(spec.slice(0, 120))}: ${why}`, 400),
  scheduleLimit: (agent: string, limit: number) =>
    new OlError(
      "OL_ERR_ORCH_SCHEDULE_LIMIT",
      `agent "${agent}" already has ${limit} schedules (the limit)`,
      409,
    ),
  unknownSchedule: (id: string) => new OlError("OL_ERR_ORCH_UNKNOWN_SCHEDULE", `no schedule "${id}"`, 404),
  unknownWebhook: (name: string) => new OlError("OL_ERR_ORCH_UNKNOWN_WEBHOOK", `no webhook "${name}"`, 404),
  webhookSignature: (why: string) =>
    new OlError("OL_ERR_ORCH_WEBHOOK_SIGNATURE", `webhook rejected: ${why}`, 401),
  webhookTooLarge: (limit: number) =>
    new OlError("OL_ERR_ORCH_WEBHOOK_TOO_LARGE", `webhook body exceeds ${limit} bytes`, 413),
  webhookPayload: (why: string) =>
    new OlError("OL_ERR_ORCH_WEBHOOK_PAYLOAD", `webhook payload rejected: ${why}`, 400),
  staleResult: (key: string) =>
    new OlError(
      "OL_ERR_ORCH_STALE_RESULT",
      `result for dispatch ${key.slice(0, 16)}… does not match the step's current attempt; discarded`,
      409,
    ),
  notYourStep: (agent: string) =>
    new OlError("OL_ERR_ORCH_NOT_YOUR_STEP", `agent "${agent}" was not dispatched this step`, 403),
  concurrencyKey: (workflow: string, why: string) =>
    new OlError("OL_ERR_ORCH_CONCURRENCY_KEY", `concurrency.key of "${workflow}" failed: ${why}`, 400),
  concurrencySkipped: (workflow: string, blocking: string) =>
    new OlError(
      "OL_ERR_ORCH_CONCURRENCY_SKIPPED",
      `"${workflow}" already has an active run with the same concurrency key (${blocking}); on_conflict: skip`,
      409,
      { details: { blocking_run: blocking } },
    ),
  queueFull: (workflow: string, limit: number) =>
    new OlError(
      "OL_ERR_ORCH_QUEUE_FULL",
      `"${workflow}" already has ${limit} runs queued for this concurrency key (the limit)`,
      429,
      { details: { retry_after_s: 30 } },
    ),
  badConfig: (what: string, why: string) => new OlError("OL_ERR_ORCH_BAD_CONFIG", `${what}: ${why}`, 500),
} as const;
