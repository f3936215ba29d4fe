import { PROXY_AGENT_CODES } from "../common/contracts/proxy-error.js";
import { type CodeOf, errorKinds } from "../common/errors.js";

/**
 * The proxy's error catalog (STYLE.md §2): one constructor per stable code. Messages name the rule that
 * refused a call and never carry a token, key or request body. Every code is listed in docs/errors/egress-proxy.md.
 */
const kind = errorKinds("PROXY");

export const ProxyErrors = {
  unauthenticated: kind("OL_ERR_PROXY_UNAUTHENTICATED", 401, (where: string) => [
    `missing or unknown agent token (${where})`,
  ]),
  forbiddenAdmin: kind("OL_ERR_PROXY_ADMIN_UNAUTHORIZED", 401, () => [
    "admin routes need the operator token",
  ]),
  proxyAuthRequired: kind("OL_ERR_PROXY_AUTH_REQUIRED", 407, () => [
    "forward proxy requests need Proxy-Authorization with the agent token",
  ]),
  unknownRoute: kind("OL_ERR_PROXY_ROUTE_UNKNOWN", 404, (path: string) => [`no route for ${path}`]),
  unknownProvider: kind("OL_ERR_PROXY_PROVIDER_UNKNOWN", 404, (provider: string) => [
    `unknown LLM provider "${provider}"`,
    { provider },
  ]),
  badPath: kind("OL_ERR_PROXY_BAD_PATH", 400, (why: string) => [`invalid request path: ${why}`]),
  methodNotAllowed: kind("OL_ERR_PROXY_METHOD", 405, (method: string, path: string) => [
    `${method} is not allowed on ${path}`,
  ]),
  badBody: kind("OL_ERR_PROXY_BAD_BODY", 400, (why: string) => [`invalid request body: ${why}`]),
  bodyTooLarge: kind("OL_ERR_PROXY_BODY_TOO_LARGE", 413, (limit: number) => [
    `request body exceeds ${limit} bytes`,
    { limit_bytes: limit },
  ]),
  modelMissing: kind("OL_ERR_PROXY_MODEL_MISSING", 400, () => ["the request names no model"]),
  modelForbidden: kind(
    PROXY_AGENT_CODES.modelForbidden,
    403,
    (agent: string, model: string, allowed: string[]) => [
      `agent "${agent}" may not use model "${model}" (allowed: ${allowed.join(", ") || "none"})`,
      { agent, model, allowed },
    ],
  ),
  endpointForbidden: kind(
    "OL_ERR_PROXY_ENDPOINT_FORBIDDEN",
    403,
    (agent: string, method: string, path: string) => [
      `agent "${agent}" may not call ${method} ${path}: the LLM door allows inference endpoints and the models list only (grant others in llm_endpoints)`,
      { agent, method, path },
    ],
  ),
  serverToolForbidden: kind("OL_ERR_PROXY_SERVER_TOOL_FORBIDDEN", 403, (agent: string, tools: string[]) => [
    `agent "${agent}" may not use provider-side tools ${tools.join(", ")} (grant them in server_tools; they are billed per call)`,
    { agent, tools },
  ]),
  wrongSubnet: kind("OL_ERR_PROXY_WRONG_SUBNET", 403, (agent: string, address: string) => [
    `token of agent "${agent}" presented from ${address}, outside that agent's subnet`,
    { agent, address },
  ]),
  apiForbidden: kind("OL_ERR_PROXY_API_FORBIDDEN", 403, (agent: string, api: string) => [
    `agent "${agent}" may not use API "${api}" (not in allowed_apis)`,
    { agent, api },
  ]),
  hostForbidden: kind("OL_ERR_PROXY_HOST_FORBIDDEN", 403, (agent: string, host: string, rule: string) => [
    `agent "${agent}" may not reach ${host}: ${rule}`,
    { agent, host, rule },
  ]),
  addressForbidden: kind(
    "OL_ERR_PROXY_ADDRESS_FORBIDDEN",
    403,
    (host: string, address: string, range: string) => [
      `${host} resolves to ${address} (${range}), which egress may not reach (allow it in egress.allow_private_cidrs)`,
      { host, address, range },
    ],
  ),
  resolveFailed: kind("OL_ERR_PROXY_RESOLVE_FAILED", 502, (host: string) => [
    `could not resolve ${host}`,
    { host },
  ]),
  budgetExceeded: kind(
    PROXY_AGENT_CODES.budgetExceeded,
    402,
    (b: {
      agent: string;
      period: "daily" | "monthly";
      limit: number;
      spent: number;
      reserved: number;
      needed: number;
    }) => [
      // When what is left would cover a typical call, it is the worst case reserved up front
      // (max_tokens × output price) that does not fit: say so, or the operator hunts for spend.
      b.spent + b.reserved < b.limit
        ? `agent "${b.agent}" ${b.period} budget $${b.limit.toFixed(4)} cannot hold this call's worst-case reservation ` +
          `of $${b.needed.toFixed(4)} (its max_tokens at the model's output price; spent $${b.spent.toFixed(4)}, ` +
          `reserved by calls in flight $${b.reserved.toFixed(4)}): lower max_tokens or raise the budget`
        : `agent "${b.agent}" ${b.period} budget exhausted: limit $${b.limit.toFixed(4)}, spent $${b.spent.toFixed(4)}, ` +
          `reserved by calls in flight $${b.reserved.toFixed(4)}, this call may cost up to $${b.needed.toFixed(4)}`,
      { ...b, retryable: false },
    ],
  ),
  agentFrozen: kind(PROXY_AGENT_CODES.agentFrozen, 402, (agent: string) => [
    `agent "${agent}" is frozen by the operator (POST /admin/agents/${agent}/unfreeze to resume)`,
    { agent, retryable: false },
  ]),
  modelCooldown: kind(
    PROXY_AGENT_CODES.modelCooldown,
    503,
    (model: string, retryAfterS: number, reason: string) => [
      `model "${model}" is cooling down for ${retryAfterS} s after ${reason}; use a fallback model`,
      { model, retry_after_s: retryAfterS, reason, retryable: true },
    ],
  ),
  contextOverflow: kind(
    PROXY_AGENT_CODES.contextOverflow,
    400,
    (provider: string, providerMessage: string) => [
      `the prompt is longer than the model's context window (${provider} said: ${providerMessage.slice(0, 300)})`,
      { provider, retryable: false },
    ],
  ),
  tooManyInFlight: kind("OL_ERR_PROXY_TOO_MANY_IN_FLIGHT", 429, (agent: string, limit: number) => [
    `agent "${agent}" already has ${limit} calls in flight`,
    { agent, limit, retryable: true },
  ]),
  upstreamFailed: kind("OL_ERR_PROXY_UPSTREAM_FAILED", 502, (target: string, why: string) => [
    `upstream ${target} failed: ${why}`,
    { target, retryable: true },
  ]),
  upstreamTimeout: kind("OL_ERR_PROXY_UPSTREAM_TIMEOUT", 504, (target: string, phase: string) => [
    `upstream ${target} timed out waiting for ${phase}`,
    { target, retryable: true },
  ]),
  credentialMissing: kind("OL_ERR_PROXY_CREDENTIAL_MISSING", 500, (name: string) => [
    `credential ${name} is not configured (secret file missing or empty)`,
    { credential: name },
  ]),
  config: kind("OL_ERR_PROXY_CONFIG", 500, (why: string) => [`invalid proxy configuration: ${why}`]),
  unknownAgent: kind("OL_ERR_PROXY_AGENT_UNKNOWN", 404, (agent: string) => [
    `unknown agent "${agent}"`,
    { agent },
  ]),
};

export type ProxyCode = CodeOf<typeof ProxyErrors>;
