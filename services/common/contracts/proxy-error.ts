import { z } from "zod";

/**
 * The egress proxy's error answers, as the agent reads them (the proxy writes them in
 * services/egress-proxy/http/respond.ts). The codes below are the ones the agent acts on; the proxy's
 * catalog raises them from here, so both ends of the wire share one spelling. Never rename one.
 */
export const PROXY_AGENT_CODES = {
  /** The provider refused the prompt as longer than the model's context window: compact and retry. */
  contextOverflow: "OL_ERR_PROXY_CONTEXT_OVERFLOW",
  /** The agent's budget is spent: no other model helps. */
  budgetExceeded: "OL_ERR_PROXY_BUDGET_EXCEEDED",
  /** The operator froze the agent: stop. */
  agentFrozen: "OL_ERR_PROXY_AGENT_FROZEN",
  /** The model is cooling down after provider failures: use a fallback model. */
  modelCooldown: "OL_ERR_PROXY_MODEL_COOLDOWN",
  /** The model is not in the agent's allowlist (config and proxy disagree): the run fails naming it. */
  modelForbidden: "OL_ERR_PROXY_MODEL_FORBIDDEN",
} as const;

/** `{type:"error", statusCode, code, message, error:{type, code, message, …details}}`, readable by SDKs too. */
export const proxyErrorBodySchema = z.object({
  type: z.literal("error"),
  statusCode: z.int(),
  code: z.string().startsWith("OL_ERR_PROXY_"),
  message: z.string(),
  error: z.looseObject({ type: z.string(), code: z.string(), message: z.string() }),
});

export type ProxyErrorBody = z.infer<typeof proxyErrorBodySchema>;

/** The proxy's error body in a response text, or undefined when the text is anything else (a provider's own body). */
export function parseProxyError(text: string | undefined): ProxyErrorBody | undefined {
  if (!text) return undefined;
  try {
    const parsed = proxyErrorBodySchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
