import { compileGlob, globProblem } from "../../common/glob.js";
import type { WireApi } from "../usage/types.js";

/**
 * The LLM door is an endpoint allowlist per wire API (finding 1): only inference is metered and budgeted,
 * so only inference passes, plus the models list (filtered to the agent's models). Anything else — files,
 * fine-tuning, batches, stored responses — is refused unless mesh.yaml grants it to that agent.
 * Paths are `rest` (after /llm/<provider>/); the version prefix is optional because an openai-compatible
 * base_url often ends in /v1 already.
 */
export type Endpoint = { kind: "inference" } | { kind: "models" } | { kind: "granted"; rule: string };

const OPENAI_INFERENCE = /^(?:v1\/)?(?:chat\/completions|completions|embeddings|responses)$/;
const ANTHROPIC_INFERENCE = /^(?:v1\/)?messages(?:\/count_tokens)?$/;
const GEMINI_INFERENCE =
  /^(?:v1|v1beta|v1alpha)\/models\/[A-Za-z0-9._-]+:(?:generateContent|streamGenerateContent|embedContent|batchEmbedContents|countTokens)$/;
const MODELS_LIST = /^(?:v1|v1beta|v1alpha)?\/?models$/;

const INFERENCE: Record<WireApi, RegExp> = {
  openai: OPENAI_INFERENCE,
  "openai-compatible": OPENAI_INFERENCE,
  anthropic: ANTHROPIC_INFERENCE,
  gemini: GEMINI_INFERENCE,
};

export interface EndpointGrant {
  rule: string;
  method: string;
  path: RegExp;
}

/** Parses `"METHOD path-glob"` grants once (config time); returns a problem text for a malformed one. */
export function compileGrant(rule: string): EndpointGrant | string {
  const match = /^(GET|POST|DELETE) (\S+)$/.exec(rule);
  if (!match?.[1] || !match[2]) return `"${rule}" must be "GET|POST|DELETE <path glob>"`;
  const problem = globProblem(match[2]);
  if (problem) return `"${rule}": ${problem}`;
  return { rule, method: match[1], path: compileGlob(match[2]) };
}

/** Which kind of endpoint `METHOD rest` is for this API and agent, or undefined (refuse). */
export function classifyEndpoint(
  api: WireApi,
  method: string,
  rest: string,
  grants: readonly EndpointGrant[],
): Endpoint | undefined {
  const path = rest.replace(/\/$/, "");
  if (method === "POST" && INFERENCE[api].test(path)) return { kind: "inference" };
  if (method === "GET" && MODELS_LIST.test(path)) return { kind: "models" };
  const grant = grants.find((g) => g.method === method && g.path.test(path));
  return grant ? { kind: "granted", rule: grant.rule } : undefined;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * A models list reduced to the models the agent may call (`allowed` are bare model ids of this provider).
 * OpenAI/Anthropic list `data[].id`, Gemini lists `models[].name` as "models/<id>". Undefined if unparseable.
 */
export function filterModelsList(body: string, allowed: ReadonlySet<string>): string | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!isObject(json)) return undefined;
  const keep = (entry: unknown): boolean => {
    if (!isObject(entry)) return false;
    const id = typeof entry.id === "string" ? entry.id : String(entry.name ?? "").replace(/^models\//, "");
    return allowed.has(id);
  };
  const out: Json = { ...json };
  if (Array.isArray(json.data)) out.data = json.data.filter(keep);
  else if (Array.isArray(json.models)) out.models = json.models.filter(keep);
  else return undefined;
  // Pagination cursors would name models the agent may not see.
  for (const cursor of ["first_id", "last_id", "nextPageToken"]) delete out[cursor];
  if ("has_more" in out) out.has_more = false;
  return JSON.stringify(out);
}
