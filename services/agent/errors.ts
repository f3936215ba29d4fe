import { type CodeOf, errorKinds } from "../common/errors.js";

const kind = errorKinds("AGENT");

/**
 * The agent runtime's error catalog (STYLE.md §2): one constructor per stable code, each listed in
 * docs/errors/agent.md. Messages name the rule or limit that failed, never a token or a secret value.
 */
export const AgentErrors = {
  config: kind("OL_ERR_AGENT_CONFIG", 500, (what: string) => what),
  unauthenticated: kind(
    "OL_ERR_AGENT_UNAUTHENTICATED",
    401,
    () => "this agent accepts only requests signed with the mesh token",
  ),
  badRequest: kind("OL_ERR_AGENT_BAD_REQUEST", 400, (message: string) => message),
  bodyTooLarge: kind(
    "OL_ERR_AGENT_BODY_TOO_LARGE",
    413,
    (limit: number) => `request body exceeds ${limit} bytes`,
  ),
  notFound: kind("OL_ERR_AGENT_NOT_FOUND", 404, (what: string) => `${what} not found`),
  queueFull: kind("OL_ERR_AGENT_QUEUE_FULL", 429, (limit: number) => [
    `the agent already holds ${limit} queued runs (the limit)`,
    { retry_after_s: 5 },
  ]),
  idempotencyConflict: kind(
    "OL_ERR_AGENT_IDEMPOTENCY_CONFLICT",
    409,
    (key: string) =>
      `Idempotency-Key ${JSON.stringify(key.slice(0, 100))} was already used for a different request`,
  ),
  badModelId: kind(
    "OL_ERR_AGENT_BAD_MODEL_ID",
    500,
    (model: string, why: string) => `model ${JSON.stringify(model)}: ${why}`,
  ),
  modelFailed: kind(
    "OL_ERR_AGENT_MODEL_FAILED",
    502,
    (model: string, status: number | undefined, message: string) => [
      `model ${model} failed${status === undefined ? "" : ` (HTTP ${status})`}: ${message.slice(0, 500)}`,
      { model, status },
    ],
  ),
  allModelsFailed: kind("OL_ERR_AGENT_ALL_MODELS_FAILED", 502, (tried: readonly string[], last: string) => [
    `every model failed (${tried.join(", ")}); last error: ${last.slice(0, 500)}`,
    { tried },
  ]),
  contextOverflow: kind("OL_ERR_AGENT_CONTEXT_OVERFLOW", 502, (model: string, message: string) => [
    `model ${model} refused the prompt as longer than its context window: ${message.slice(0, 500)}`,
    { model },
  ]),
  cancelled: kind("OL_ERR_AGENT_CANCELLED", 499, (why: string) => `run cancelled: ${why}`),
  runTimeout: kind(
    "OL_ERR_AGENT_RUN_TIMEOUT",
    504,
    (seconds: number) => `run exceeded its time limit of ${seconds} s`,
  ),
  loopDetected: kind(
    "OL_ERR_AGENT_LOOP_DETECTED",
    508,
    (tool: string, count: number) => `run ended: ${tool} was called ${count} times with identical arguments`,
  ),
  iterationLimit: kind(
    "OL_ERR_AGENT_ITERATION_LIMIT",
    508,
    (limit: number) => `task did not finish within ${limit} model calls`,
  ),
  shuttingDown: kind("OL_ERR_AGENT_SHUTTING_DOWN", 503, () => "the agent is shutting down"),
  internal: kind("OL_ERR_AGENT_INTERNAL", 500, () => "internal error"),
} as const;

export type AgentCode = CodeOf<typeof AgentErrors>;
