import { OlError } from "../common/errors.js";

/**
 * The mesh's error catalog (STYLE.md §2): one constructor per stable code. Every code is listed in
 * docs/errors/mesh.md. Messages name the rule or limit that failed, never a token or a value.
 */
export const MeshErrors = {
  unauthenticated: (why: string) => new OlError("OL_ERR_MESH_UNAUTHENTICATED", why, 401),
  wrongSubnet: (agent: string, address: string) =>
    new OlError(
      "OL_ERR_MESH_WRONG_SUBNET",
      `token of agent "${agent}" presented from ${address}, outside that agent's subnet`,
      403,
    ),
  wrongPrincipal: (need: "agent" | "operator") =>
    new OlError("OL_ERR_MESH_WRONG_PRINCIPAL", `this route needs the ${need} token`, 403),
  denied: (rule: string) => new OlError("OL_ERR_MESH_DENIED", rule, 403),
  badRequest: (message: string) => new OlError("OL_ERR_MESH_BAD_REQUEST", message, 400),
  badJson: (message: string) => new OlError("OL_ERR_MESH_BAD_JSON", `malformed JSON body: ${message}`, 400),
  badKey: (key: string, why: string) =>
    new OlError(
      "OL_ERR_MESH_BAD_KEY",
      `invalid blackboard key ${JSON.stringify(key.slice(0, 300))}: ${why}`,
      400,
    ),
  badTopic: (topic: string, why: string) =>
    new OlError("OL_ERR_MESH_BAD_TOPIC", `invalid topic ${JSON.stringify(topic.slice(0, 200))}: ${why}`, 400),
  bodyTooLarge: (limit: number) =>
    new OlError("OL_ERR_MESH_BODY_TOO_LARGE", `request body exceeds ${limit} bytes`, 413),
  valueTooLarge: (size: number, limit: number) =>
    new OlError("OL_ERR_MESH_VALUE_TOO_LARGE", `value is ${size} bytes of JSON; the limit is ${limit}`, 413),
  unsupportedMedia: (type: string) =>
    new OlError(
      "OL_ERR_MESH_UNSUPPORTED_MEDIA",
      `content-type ${JSON.stringify(type)} is not accepted; send application/json`,
      415,
    ),
  notFound: (what: string) => new OlError("OL_ERR_MESH_NOT_FOUND", `${what} not found`, 404),
  versionConflict: (key: string, expected: number, actual: number) =>
    new OlError("OL_ERR_MESH_VERSION_CONFLICT", `${key} is at version ${actual}, not ${expected}`, 409, {
      details: { key, expected, actual },
    }),
  appendOnly: (key: string) =>
    new OlError(
      "OL_ERR_MESH_APPEND_ONLY",
      `${key} is in history/, which is append-only: it cannot be overwritten, expire or be deleted`,
      409,
    ),
  keyLimit: (agent: string, limit: number) =>
    new OlError(
      "OL_ERR_MESH_KEY_LIMIT",
      `agent "${agent}" already owns ${limit} blackboard keys (the limit)`,
      409,
    ),
  watchLimit: (agent: string, limit: number) =>
    new OlError("OL_ERR_MESH_WATCH_LIMIT", `agent "${agent}" already has ${limit} watches (the limit)`, 409),
  feedLimit: (limit: number) =>
    new OlError("OL_ERR_MESH_FEED_LIMIT", `${limit} operator watch feeds are already open (the limit)`, 429, {
      details: { retry_after_s: 5 },
    }),
  subscriptionLimit: (agent: string, limit: number) =>
    new OlError(
      "OL_ERR_MESH_SUBSCRIPTION_LIMIT",
      `agent "${agent}" already has ${limit} subscriptions (the limit)`,
      409,
    ),
  inboxFull: (agents: readonly string[], limit: number, retryAfterS: number) =>
    new OlError(
      "OL_ERR_MESH_INBOX_FULL",
      `inbox of ${agents.map((a) => `"${a}"`).join(", ")} holds ${limit} undelivered messages (the limit); nothing was queued`,
      429,
      { details: { agents: [...agents], retry_after_s: retryAfterS } },
    ),
  rateLimited: (agent: string, rps: number, retryAfterS: number) =>
    new OlError("OL_ERR_MESH_RATE_LIMITED", `agent "${agent}" exceeded ${rps} requests per second`, 429, {
      details: { retry_after_s: retryAfterS },
    }),
  unknownAgent: (agent: string) =>
    new OlError("OL_ERR_MESH_UNKNOWN_AGENT", `no agent "${agent}" in this fleet`, 404),
  agentUnavailable: (agent: string, why: string) =>
    new OlError("OL_ERR_MESH_AGENT_UNAVAILABLE", `agent "${agent}" did not answer: ${why}`, 502),
  agentBadReply: (agent: string, why: string) =>
    new OlError(
      "OL_ERR_MESH_AGENT_BAD_REPLY",
      `agent "${agent}" answered with an invalid reply: ${why}`,
      502,
    ),
  proxyUnavailable: (why: string) =>
    new OlError("OL_ERR_MESH_PROXY_UNAVAILABLE", `egress proxy admin API did not answer: ${why}`, 502),
  config: (message: string) => new OlError("OL_ERR_MESH_CONFIG", message, 500),
  internal: () => new OlError("OL_ERR_MESH_INTERNAL", "internal error (see the mesh log)", 500),
} as const;
