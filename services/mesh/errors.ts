import { type CodeOf, errorKinds } from "../common/errors.js";

const kind = errorKinds("MESH");

/**
 * The mesh's error catalog (STYLE.md §2): one constructor per stable code. Every code is listed in
 * docs/errors/mesh.md. Messages name the rule or limit that failed, never a token or a value.
 */
export const MeshErrors = {
  unauthenticated: kind("OL_ERR_MESH_UNAUTHENTICATED", 401, (why: string) => why),
  wrongSubnet: kind(
    "OL_ERR_MESH_WRONG_SUBNET",
    403,
    (agent: string, address: string) =>
      `token of agent "${agent}" presented from ${address}, outside that agent's subnet`,
  ),
  wrongPrincipal: kind(
    "OL_ERR_MESH_WRONG_PRINCIPAL",
    403,
    (need: "agent" | "operator") => `this route needs the ${need} token`,
  ),
  csrf: kind(
    "OL_ERR_MESH_CSRF",
    403,
    () => "dashboard session call refused: cross-site, or a state-changing call without its x-csrf-token",
  ),
  denied: kind("OL_ERR_MESH_DENIED", 403, (rule: string) => rule),
  badRequest: kind("OL_ERR_MESH_BAD_REQUEST", 400, (message: string) => message),
  badJson: kind("OL_ERR_MESH_BAD_JSON", 400, (message: string) => `malformed JSON body: ${message}`),
  badKey: kind(
    "OL_ERR_MESH_BAD_KEY",
    400,
    (key: string, why: string) => `invalid blackboard key ${JSON.stringify(key.slice(0, 300))}: ${why}`,
  ),
  badTopic: kind(
    "OL_ERR_MESH_BAD_TOPIC",
    400,
    (topic: string, why: string) => `invalid topic ${JSON.stringify(topic.slice(0, 200))}: ${why}`,
  ),
  bodyTooLarge: kind(
    "OL_ERR_MESH_BODY_TOO_LARGE",
    413,
    (limit: number) => `request body exceeds ${limit} bytes`,
  ),
  valueTooLarge: kind(
    "OL_ERR_MESH_VALUE_TOO_LARGE",
    413,
    (size: number, limit: number) => `value is ${size} bytes of JSON; the limit is ${limit}`,
  ),
  unsupportedMedia: kind(
    "OL_ERR_MESH_UNSUPPORTED_MEDIA",
    415,
    (type: string) => `content-type ${JSON.stringify(type)} is not accepted; send application/json`,
  ),
  notFound: kind("OL_ERR_MESH_NOT_FOUND", 404, (what: string) => `${what} not found`),
  versionConflict: kind(
    "OL_ERR_MESH_VERSION_CONFLICT",
    409,
    (key: string, expected: number, actual: number) => [
      `${key} is at version ${actual}, not ${expected}`,
      { key, expected, actual },
    ],
  ),
  appendOnly: kind(
    "OL_ERR_MESH_APPEND_ONLY",
    409,
    (key: string) =>
      `${key} is in history/, which is append-only: it cannot be overwritten, expire or be deleted`,
  ),
  keyLimit: kind(
    "OL_ERR_MESH_KEY_LIMIT",
    409,
    (agent: string, limit: number) => `agent "${agent}" already owns ${limit} blackboard keys (the limit)`,
  ),
  watchLimit: kind(
    "OL_ERR_MESH_WATCH_LIMIT",
    409,
    (agent: string, limit: number) => `agent "${agent}" already has ${limit} watches (the limit)`,
  ),
  feedLimit: kind("OL_ERR_MESH_FEED_LIMIT", 429, (limit: number) => [
    `${limit} operator watch feeds are already open (the limit)`,
    { retry_after_s: 5 },
  ]),
  subscriptionLimit: kind(
    "OL_ERR_MESH_SUBSCRIPTION_LIMIT",
    409,
    (agent: string, limit: number) => `agent "${agent}" already has ${limit} subscriptions (the limit)`,
  ),
  inboxFull: kind(
    "OL_ERR_MESH_INBOX_FULL",
    429,
    (agents: readonly string[], limit: number, retryAfterS: number) => [
      `inbox of ${agents.map((a) => `"${a}"`).join(", ")} holds ${limit} undelivered messages (the limit); nothing was queued`,
      { agents: [...agents], retry_after_s: retryAfterS },
    ],
  ),
  rateLimited: kind("OL_ERR_MESH_RATE_LIMITED", 429, (agent: string, rps: number, retryAfterS: number) => [
    `agent "${agent}" exceeded ${rps} requests per second`,
    { retry_after_s: retryAfterS },
  ]),
  unknownAgent: kind(
    "OL_ERR_MESH_UNKNOWN_AGENT",
    404,
    (agent: string) => `no agent "${agent}" in this fleet`,
  ),
  agentUnavailable: kind(
    "OL_ERR_MESH_AGENT_UNAVAILABLE",
    502,
    (agent: string, why: string) => `agent "${agent}" did not answer: ${why}`,
  ),
  agentBadReply: kind(
    "OL_ERR_MESH_AGENT_BAD_REPLY",
    502,
    (agent: string, why: string) => `agent "${agent}" answered with an invalid reply: ${why}`,
  ),
  proxyUnavailable: kind(
    "OL_ERR_MESH_PROXY_UNAVAILABLE",
    502,
    (why: string) => `egress proxy admin API did not answer: ${why}`,
  ),
  channelDown: kind(
    "OL_ERR_MESH_CHANNEL_DOWN",
    503,
    (channel: string) => `the ${channel} channel is not running (see \`openlegion channels list\`)`,
  ),
  config: kind("OL_ERR_MESH_CONFIG", 500, (message: string) => message),
  internal: kind("OL_ERR_MESH_INTERNAL", 500, () => "internal error (see the mesh log)"),
} as const;

export type MeshCode = CodeOf<typeof MeshErrors>;
