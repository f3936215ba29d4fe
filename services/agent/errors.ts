import { OlError } from "../common/errors.js";

/**
 * The agent runtime's error catalog (STYLE.md §2): one constructor per stable code, each listed in
 * docs/errors/agent.md. Messages name the rule or limit that failed, never a token or a secret value.
 */
export const AgentErrors = {
  config: (what: string) => new OlError("OL_ERR_AGENT_CONFIG", what, 500),
  unauthenticated: () =>
    new OlError(
      "OL_ERR_AGENT_UNAUTHENTICATED",
      "this agent accepts only requests signed with the mesh token",
      401,
    ),
  badRequest: (message: string) => new OlError("OL_ERR_AGENT_BAD_REQUEST", message, 400),
  bodyTooLarge: (limit: number) =>
    new OlError("OL_ERR_AGENT_BODY_TOO_LARGE", `request body exceeds ${limit} bytes`, 413),
  notFound: (what: string) => new OlError("OL_ERR_AGENT_NOT_FOUND", `${what} not found`, 404),
  queueFull: (limit: number) =>
    new OlError("OL_ERR_AGENT_QUEUE_FULL", `the agent already holds ${limit} queued runs (the limit)`, 429, {
      details: { retry_after_s: 5 },
    }),
  idempotencyConflict: (key: string) =>
    new OlError(
      "OL_ERR_AGENT_IDEMPOTENCY_CONFLICT",
      `Idempotency-Key ${JSON.stringify(key.slice(0, 100))} was already used for a different request`,
      409,
    ),
  badModelId: (model: string, why: string) =>
    new OlError("OL_ERR_AGENT_BAD_MODEL_ID", `model ${JSON.stringify(model)}: ${why}`, 500),
  modelFailed: (model: string, status: number | undefined, message: string) =>
    new OlError(
      "OL_ERR_AGENT_MODEL_FAILED",
      `model ${model} failed${status === undefined ? "" : ` (HTTP ${status})`}: ${message.slice(0, 500)}`,
      502,
      { details: { model, status } },
    ),
  allModelsFailed: (tried: readonly string[], last: string) =>
    new OlError(
      "OL_ERR_AGENT_ALL_MODELS_FAILED",
      `every model failed (${tried.join(", ")}); last error: ${last.slice(0, 500)}`,
      502,
      { details: { tried } },
    ),
  cancelled: (why: string) => new OlError("OL_ERR_AGENT_CANCELLED", `run cancelled: ${why}`, 499),
  runTimeout: (seconds: number) =>
    new OlError("OL_ERR_AGENT_RUN_TIMEOUT", `run exceeded its time limit of ${seconds} s`, 504),
  loopDetected: (tool: string, count: number) =>
    new OlError(
      "OL_ERR_AGENT_LOOP_DETECTED",
      `run ended: ${tool} was called ${count} times with identical arguments`,
      508,
    ),
  iterationLimit: (limit: number) =>
    new OlError("OL_ERR_AGENT_ITERATION_LIMIT", `task did not finish within ${limit} model calls`, 508),
  shuttingDown: () => new OlError("OL_ERR_AGENT_SHUTTING_DOWN", "the agent is shutting down", 503),
  internal: () => new OlError("OL_ERR_AGENT_INTERNAL", "internal error", 500),
} as const;
