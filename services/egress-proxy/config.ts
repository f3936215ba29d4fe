import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BUILTIN_PROVIDERS } from "../common/builtin-providers.js";
import { type ProxyConfig, type ProxyProvider, proxyConfigSchema } from "../common/contracts/proxy-config.js";
import { MESH_EGRESS_ID } from "../common/ports.js";
import { ProxyErrors } from "./errors.js";
import { type Cidr, parseCidr } from "./net/addresses.js";
import { compileHostPattern, type HostRule } from "./net/hosts.js";
import { compileGrant, type EndpointGrant } from "./pipeline/endpoints.js";
import { builtinToolPrice } from "./pricing/table.js";

export const CONFIG_FILE = "config.json";

export interface ResolvedProvider extends ProxyProvider {
  name: string;
  origin: string;
  /** Path prefix of base_url without a trailing slash ("" for a bare origin). */
  basePath: string;
}

export interface ResolvedAgent {
  id: string;
  models: ReadonlySet<string>;
  modelList: string[];
  hostRules: HostRule[];
  allowedApis: ReadonlySet<string>;
  dailyUsd: number;
  monthlyUsd: number;
  maxTokens: number;
  /** Source network the agent's token is accepted from. */
  subnet: Cidr;
  tokenGeneration: number;
  endpointGrants: EndpointGrant[];
  serverTools: ReadonlySet<string>;
}

export interface ResolvedApi {
  name: string;
  origin: string;
  basePath: string;
  credential: string | undefined;
  header: string | undefined;
  scheme: string | undefined;
  query: string | undefined;
  /** A remote MCP server: bearer credential, host checked against the agent's allowed_hosts. */
  mcp: boolean;
  pathPrefix: string | undefined;
}

export interface ResolvedConfig {
  raw: ProxyConfig;
  agents: ReadonlyMap<string, ResolvedAgent>;
  agentIds: string[];
  providers: ReadonlyMap<string, ResolvedProvider>;
  apis: ReadonlyMap<string, ResolvedApi>;
  allowPrivate: Cidr[];
  /** PEM of extra_ca_file (loadConfig reads it): trusted for upstream TLS besides the system roots. */
  extraCaPem?: string;
}

function splitBase(what: string, baseUrl: string): { origin: string; basePath: string } {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw ProxyErrors.config(`${what} base_url ${JSON.stringify(baseUrl)} is not a URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw ProxyErrors.config(`${what} base_url must be http(s), got ${url.protocol}`);
  }
  if (url.username || url.password || url.search || url.hash) {
    throw ProxyErrors.config(`${what} base_url must not carry credentials, a query or a fragment`);
  }
  return { origin: url.origin, basePath: url.pathname.replace(/\/+$/, "") };
}

/** The mesh as a proxy identity: no model, nothing to spend, only its hosts and APIs. */
function meshIdentity(mesh: NonNullable<ProxyConfig["mesh"]>): ProxyConfig["agents"][string] {
  return {
    ...mesh,
    models: [],
    budget: { daily_usd: 0, monthly_usd: 0 },
    max_tokens: 1,
    token_generation: 0,
    llm_endpoints: [],
    server_tools: [],
  };
}

/** Validates cross-field rules the schema cannot express and compiles patterns once. Throws ProxyErrors.config. */
export function resolveConfig(input: unknown): ResolvedConfig {
  const parsed = proxyConfigSchema.safeParse(input);
  if (!parsed.success) {
    const first = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`)
      .join("; ");
    throw ProxyErrors.config(first);
  }
  const raw = parsed.data;
  const providers = new Map<string, ResolvedProvider>();
  for (const [name, p] of Object.entries({ ...BUILTIN_PROVIDERS, ...raw.providers })) {
    if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(name))
      throw ProxyErrors.config(`provider name ${JSON.stringify(name)}`);
    providers.set(name, { ...p, name, ...splitBase(`provider ${name}`, p.base_url) });
  }
  const apis = new Map<string, ResolvedApi>();
  for (const [name, a] of Object.entries(raw.apis)) {
    const mcp = a.kind === "mcp";
    if (!mcp && (!a.credential || (!a.header && !a.query && a.path_prefix === undefined)))
      throw ProxyErrors.config(
        `api ${name} needs a credential and a header, a query parameter or a path_prefix`,
      );
    if (a.scheme && !a.header) throw ProxyErrors.config(`api ${name} has a scheme but no header`);
    apis.set(name, {
      name,
      credential: a.credential,
      // A remote MCP server's credential is a bearer token.
      header: mcp ? (a.credential ? "authorization" : undefined) : a.header,
      scheme: mcp ? "Bearer" : a.scheme,
      query: mcp ? undefined : a.query,
      pathPrefix: mcp ? undefined : a.path_prefix,
      mcp,
      ...splitBase(`api ${name}`, a.base_url),
    });
  }
  const agents = new Map<string, ResolvedAgent>();
  if (raw.agents[MESH_EGRESS_ID]) throw ProxyErrors.config(`agent id ${MESH_EGRESS_ID} is the mesh's`);
  const identities = Object.entries(raw.agents);
  if (raw.mesh) identities.push([MESH_EGRESS_ID, meshIdentity(raw.mesh)]);
  for (const [id, a] of identities) {
    for (const m of a.models) {
      const provider = m.slice(0, m.indexOf("/"));
      if (!m.includes("/") || !providers.has(provider)) {
        throw ProxyErrors.config(
          `agent ${id} model ${JSON.stringify(m)} must be provider/model with a known provider`,
        );
      }
    }
    for (const api of a.allowed_apis) {
      if (!apis.has(api)) throw ProxyErrors.config(`agent ${id} allows unknown api ${JSON.stringify(api)}`);
    }
    const subnet = parseCidr(a.subnet);
    if (!subnet) throw ProxyErrors.config(`agent ${id} subnet ${JSON.stringify(a.subnet)} is not a CIDR`);
    const endpointGrants = a.llm_endpoints.map((rule) => {
      const grant = compileGrant(rule);
      if (typeof grant === "string") throw ProxyErrors.config(`agent ${id} llm_endpoints ${grant}`);
      return grant;
    });
    for (const tool of a.server_tools) {
      for (const m of a.models) {
        if (raw.pricing[m]?.tool_call_usd?.[tool] === undefined && builtinToolPrice(tool) === undefined)
          throw ProxyErrors.config(
            `agent ${id} server_tools ${JSON.stringify(tool)} has no per-call price (set pricing.${m}.tool_call_usd)`,
          );
      }
    }
    agents.set(id, {
      id,
      models: new Set(a.models),
      modelList: a.models,
      hostRules: a.allowed_hosts.map((h) => compileHostPattern(h)),
      allowedApis: new Set(a.allowed_apis),
      dailyUsd: a.budget.daily_usd,
      monthlyUsd: a.budget.monthly_usd,
      maxTokens: a.max_tokens,
      subnet,
      tokenGeneration: a.token_generation,
      endpointGrants,
      serverTools: new Set(a.server_tools),
    });
  }
  const allowPrivate = raw.allow_private_cidrs.map((c) => {
    const cidr = parseCidr(c);
    if (!cidr) throw ProxyErrors.config(`allow_private_cidrs entry ${JSON.stringify(c)} is not a CIDR`);
    return cidr;
  });
  return { raw, agents, agentIds: [...agents.keys()], providers, apis, allowPrivate };
}

/** Reads `<dir>/config.json` (what `openlegion render` writes to compose/egress-proxy/). */
export function loadConfig(dir: string): ResolvedConfig {
  const path = join(dir, CONFIG_FILE);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw ProxyErrors.config(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? "error"}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw ProxyErrors.config(`${path} is not valid JSON`);
  }
  const resolved = resolveConfig(json);
  const caFile = resolved.raw.extra_ca_file;
  if (caFile === undefined) return resolved;
  if (caFile.includes("/") || caFile.startsWith("."))
    throw ProxyErrors.config(`extra_ca_file must be a file name in ${dir}`);
  try {
    return { ...resolved, extraCaPem: readFileSync(join(dir, caFile), "utf8") };
  } catch (error) {
    throw ProxyErrors.config(
      `cannot read ${join(dir, caFile)}: ${(error as NodeJS.ErrnoException).code ?? "error"}`,
    );
  }
}
