import { z } from "zod";

/**
 * One HTTP route as data: the single source for the server that registers it (common/http/route.ts),
 * the client that calls it (common/client/api-client.ts) and docs/api.md (a test checks the doc
 * against the tables). Paths use fastify's syntax: `:name` params and a trailing `*` for a key path.
 */
export type HttpMethod = "GET" | "PUT" | "POST" | "DELETE";

/**
 * Who may call a route: an agent token (from the agent's subnet), the operator token, either of the
 * two, the mesh's per-agent token (the agent server's routes), or no token at all.
 */
export type RouteAuth = "agent" | "operator" | "mesh" | "any" | "none";

export interface RouteContract {
  readonly method: HttpMethod;
  readonly path: string;
  readonly auth: RouteAuth;
  readonly params?: z.ZodType;
  readonly query?: z.ZodType;
  readonly headers?: z.ZodType;
  readonly body?: z.ZodType;
  /** JSON replies by status code. Absent when the reply is not JSON (Prometheus text, SSE only). */
  readonly response?: Readonly<Record<number, z.ZodType>>;
  /** The route can answer `text/event-stream`; each frame's data is one of these. */
  readonly events?: z.ZodType;
  /** A body limit other than the service's default (bytes). */
  readonly bodyLimit?: number;
}

/** Every error reply of every service: `{statusCode, code, error, message}` (common/http/error-handler.ts). */
export const errorReplySchema = z.object({
  statusCode: z.int(),
  code: z.string(),
  error: z.string(),
  message: z.string(),
});

/** Everything of a contract but its method, path and auth. */
export type RouteSchemas = Omit<RouteContract, "method" | "path" | "auth">;

/** One entry, read as its doc row: `endpoint("GET", "/v1/status", "operator", { query, response })`. */
export const endpoint = <
  const M extends HttpMethod,
  const P extends string,
  const A extends RouteAuth,
  const S extends RouteSchemas = Record<never, never>,
>(
  method: M,
  path: P,
  auth: A,
  schemas?: S,
): { readonly method: M; readonly path: P; readonly auth: A } & S => ({
  method,
  path,
  auth,
  ...(schemas as S),
});

/** A table of routes, checked to be contracts while keeping each entry's literal type. */
export const routeTable = <const T extends Record<string, RouteContract>>(table: T): T => table;

type Output<S> = S extends z.ZodType ? z.output<S> : undefined;
type Input<S> = S extends z.ZodType ? z.input<S> : undefined;

export type ParamsOf<C extends RouteContract> = Output<C["params"]>;
export type QueryOf<C extends RouteContract> = Output<C["query"]>;
export type BodyOf<C extends RouteContract> = Output<C["body"]>;
/** `unknown` without a schema, so it can be intersected with the raw headers. */
export type HeadersOf<C extends RouteContract> = C["headers"] extends z.ZodType
  ? z.output<C["headers"]>
  : unknown;
type Responses<C extends RouteContract> = NonNullable<C["response"]>[keyof NonNullable<C["response"]>];
/** What a handler may return (before serialization drops undeclared fields); any value without a schema. */
export type ReplyInput<C extends RouteContract> = C["response"] extends object
  ? Input<Responses<C>>
  : unknown;
/** What a caller gets back: any of the declared replies. */
export type ReplyOf<C extends RouteContract> = Output<Responses<C>>;
export type EventOf<C extends RouteContract> = Output<C["events"]>;

/** A field of the call arguments: absent without a schema, optional when `{}` would do. */
type Arg<K extends string, S> = S extends z.ZodType
  ? Record<string, never> extends z.input<S>
    ? { [P in K]?: z.input<S> }
    : { [P in K]: z.input<S> }
  : { [P in K]?: never };
export type CallArgs<C extends RouteContract> = Arg<"params", C["params"]> &
  Arg<"query", C["query"]> &
  Arg<"body", C["body"]>;

const encodeKey = (key: string): string => key.split("/").map(encodeURIComponent).join("/");

/** The request path of `contract` with its params filled in (each segment URL-encoded). */
export function pathOf(contract: RouteContract, params: Record<string, unknown> = {}): string {
  const value = (name: string): string => {
    const v = params[name];
    if (v === undefined) throw new Error(`${contract.method} ${contract.path}: param ${name} missing`);
    return String(v);
  };
  return contract.path
    .replace(/:([A-Za-z_]\w*)/g, (_m, name: string) => encodeURIComponent(value(name)))
    .replace(/\*$/, () => encodeKey(value("*")));
}

/** `?a=1&b=x` from a flat query object (undefined fields left out); "" when empty. */
export function queryString(query: Record<string, unknown> | undefined): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) q.set(k, String(v));
  const text = q.toString();
  return text ? `?${text}` : "";
}

const patterns = new WeakMap<RouteContract, { regex: RegExp; names: string[] }>();

function patternOf(contract: RouteContract): { regex: RegExp; names: string[] } {
  let p = patterns.get(contract);
  if (!p) {
    const names: string[] = [];
    const source = contract.path
      .split("/")
      .map((seg) => {
        if (seg === "*") return names.push("*") && "(.*)";
        if (seg.startsWith(":")) return names.push(seg.slice(1)) && "([^/]+)";
        return seg.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
      })
      .join("/");
    p = { regex: new RegExp(`^${source}$`), names };
    patterns.set(contract, p);
  }
  return p;
}

/**
 * The entry of `table` a request hits, with its decoded params; for services without a router
 * (the egress proxy). `pathMatched` tells a wrong method (405-worthy) from an unknown path.
 */
export function matchRoute<T extends Record<string, RouteContract>>(
  table: T,
  method: string,
  pathname: string,
): { name: keyof T & string; params: Record<string, string> } | { name: undefined; pathMatched: boolean } {
  let pathMatched = false;
  for (const [name, contract] of Object.entries(table)) {
    const { regex, names } = patternOf(contract);
    const m = regex.exec(pathname);
    if (!m) continue;
    pathMatched = true;
    if (contract.method !== method) continue;
    const params: Record<string, string> = {};
    names.forEach((n, i) => {
      params[n] = decodeURIComponent(m[i + 1] ?? "");
    });
    return { name, params };
  }
  return { name: undefined, pathMatched };
}
